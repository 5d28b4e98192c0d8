# The new families against independent solvers of the same objective:
# glm() for binomial counts, glm() with MASS's negative.binomial(theta) for the
# negative binomial, a linear program for quantile regression with the lasso
# and a quadratic program for the hinge loss with the ridge. The objectives
# are written out here from their definitions.

# Unit (1/n) standard deviations of the columns: the penalty's scale under
# standardize = TRUE.
unit_sd <- function(x) sqrt(colMeans(sweep(x, 2, colMeans(x))^2))

test_that("binomial counts as a two-column matrix match glm()", {
  data("esoph", package = "datasets", envir = environment())
  x <- stats::model.matrix(~ unclass(agegp) + unclass(alcgp) + unclass(tobgp), esoph)[, -1]
  counts <- cbind(esoph$ncases, esoph$ncontrols)
  reference <- stats::glm(counts ~ x, family = stats::binomial(), control = list(epsilon = 1e-14, maxit = 100))
  # the coefficients of rare events are weakly determined: a tighter
  # tolerance (1e-8; 1e-9 is below rounding for these data) makes them
  # comparable to 1e-6
  tight <- smem_control(tol = 1e-8)
  fit <- smem(x, counts, family = "binomial", penalty = "ridge", lambda = 0, control = tight)
  expect_true(fit$converged)
  expect_equal(unname(c(fit$a0, fit$beta)), unname(stats::coef(reference)), tolerance = 1e-6)
  # the deviance is glm's, saturated model included
  expect_equal(fit$deviance, reference$deviance, tolerance = 1e-8)
  expect_equal(fit$nulldev, reference$null.deviance, tolerance = 1e-8)

  # proportions with the trials as weights are the same model
  trials <- rowSums(counts)
  keep <- trials > 0
  by_weights <- smem(x[keep, ], counts[keep, 1] / trials[keep],
    family = "binomial",
    penalty = "ridge", lambda = 0, weights = trials[keep], control = tight
  )
  expect_equal(unname(c(by_weights$a0, by_weights$beta)), unname(stats::coef(reference)), tolerance = 1e-6)
  expect_equal(
    unname(predict(fit, x[1:3, ], type = "response")[, 1]),
    unname(stats::fitted(reference)[1:3]),
    tolerance = 1e-6
  )
})

test_that("binomial counts with a lasso penalty minimize the glmnet objective", {
  skip_if_not_installed("glmnet")
  data("esoph", package = "datasets", envir = environment())
  x <- stats::model.matrix(~ agegp + alcgp + tobgp, esoph)[, -1]
  counts <- cbind(esoph$ncases, esoph$ncontrols)
  # glmnet takes the matrix as (failures, successes)
  reference <- glmnet_reference(x, counts[, 2:1], family = "binomial", lambda = 0.01)
  fit <- smem(x, counts, family = "binomial", lambda = 0.01)
  trials <- rowSums(counts)
  objective <- function(a0, beta) {
    eta <- drop(a0 + x %*% beta)
    w <- trials / sum(trials)
    sum(w * (log1p(exp(eta)) - counts[, 1] / trials * eta)) + 0.01 * sum(abs(beta) * unit_sd_weighted(x, w))
  }
  unit_sd_weighted <- function(x, w) {
    centre <- colSums(w * x)
    sqrt(colSums(w * sweep(x, 2, centre)^2))
  }
  ours <- objective(fit$a0, fit$beta)
  theirs <- objective(reference$a0, as.vector(reference$beta))
  expect_lte((ours - theirs) / theirs, 1e-7)
})

test_that("negative binomial with a vanishing penalty matches glm() with the size fixed", {
  skip_if_not_installed("MASS")
  data("quine", package = "MASS", envir = environment())
  x <- stats::model.matrix(~ Eth + Sex + Age + Lrn, quine)[, -1]
  y <- quine$Days
  size <- MASS::glm.nb(Days ~ Eth + Sex + Age + Lrn, data = quine)$theta
  reference <- stats::glm(y ~ x,
    family = MASS::negative.binomial(size),
    control = list(epsilon = 1e-14, maxit = 100)
  )
  fit <- smem(x, y, family = "negbin", size = size, penalty = "ridge", lambda = 0)
  expect_true(fit$converged)
  # coefficients to smem's default tolerance (1e-7 on the score, times the
  # spread of the counts for this family)
  expect_equal(unname(c(fit$a0, fit$beta)), unname(stats::coef(reference)), tolerance = 1e-6)
  expect_equal(fit$deviance, reference$deviance, tolerance = 1e-8)
  expect_equal(as.numeric(logLik(fit)), as.numeric(stats::logLik(reference)), tolerance = 1e-10)
  expect_equal(attr(logLik(fit), "df"), attr(stats::logLik(reference), "df"))
  expect_equal(
    unname(predict(fit, x[1:4, ], type = "response")[, 1]),
    unname(stats::fitted(reference)[1:4]),
    tolerance = 1e-6
  )
  # minus the log-likelihood per observation, up to terms free of the
  # coefficients, is the objective smem reports
  loglik <- function(mu) mean(stats::dnbinom(y, size = size, mu = mu, log = TRUE))
  free <- mean(stats::dnbinom(y, size = size, mu = pmax(y, 1e-300), log = TRUE))
  expect_equal(
    utils::tail(fit$objective, 1) - mean(fit$deviance / 2 / length(y)),
    utils::tail(fit$objective, 1) - (free - loglik(stats::fitted(reference))),
    tolerance = 1e-8
  )
})

test_that("negative binomial lasso paths satisfy the optimality conditions", {
  skip_if_not_installed("MASS")
  data("quine", package = "MASS", envir = environment())
  x <- stats::model.matrix(~ Eth * Sex * Age * Lrn, quine)[, -1]
  x <- x[, apply(x, 2, stats::sd) > 0]
  y <- quine$Days
  path <- smem_path(x, y, family = "negbin", size = 1.3, nlambda = 20)
  expect_true(all(path$converged))
  sds <- unit_sd(x)
  for (k in seq_along(path$lambda)) {
    beta <- as.vector(path$beta[, k])
    mu <- exp(path$a0[k] + drop(x %*% beta))
    # d/d eta of (y + h) log(1 + mu/h) - y log(mu/h) is (y + h) mu/(mu + h) - y
    z <- sweep(sweep(x, 2, colMeans(x)), 2, sds, "/")
    score <- unname(drop(crossprod(z, (y + 1.3) * mu / (mu + 1.3) - y))) / length(y)
    active <- beta != 0
    # tolerance: smem's tol times the spread of the counts (its scale for
    # this family), with room
    slack <- 1e-6 * stats::sd(y)
    expect_lte(max(c(0, abs(score[!active]))), path$lambda[k] + slack)
    expect_lte(max(c(0, abs(score[active] + path$lambda[k] * sign(beta[active])))), slack)
    # the path's deviance explained against the negative binomial deviance
    # of its coefficients, written out (MASS's deviance residuals)
    deviance <- sum(MASS::negative.binomial(1.3)$dev.resids(y, mu, rep(1, length(y))))
    expect_equal(path$dev.ratio[k], 1 - deviance / path$nulldev, tolerance = 1e-10)
  }
  null_mu <- rep(mean(y), length(y))
  expect_equal(
    path$nulldev,
    sum(MASS::negative.binomial(1.3)$dev.resids(y, null_mu, rep(1, length(y)))),
    tolerance = 1e-8
  )
})

test_that("quantile regression with the lasso matches a linear program", {
  skip_if_not_installed("lpSolve")
  skip_if_not_installed("MASS")
  data <- real_data("birthwt")
  x <- data$x
  y <- data$y / 1000
  n <- nrow(x)
  p <- ncol(x)
  sds <- unit_sd(x)
  for (tau in c(0.25, 0.5, 0.9)) {
    lambda <- 0.02
    # variables: b0+, b0-, b+ (p), b- (p), u+ (n), u- (n), all >= 0, with
    # y - b0 - x b = u+ - u-; cost tau u+ + (1 - tau) u- per observation / n
    cost <- c(0, 0, lambda * sds, lambda * sds, rep(tau / n, n), rep((1 - tau) / n, n))
    constraints <- cbind(1, -1, x, -x, diag(n), -diag(n))
    lp <- lpSolve::lp("min", cost, constraints, rep("=", n), y)
    expect_equal(lp$status, 0)
    check <- function(r) sum(r * (tau - (r < 0))) / n
    objective <- function(a0, beta) {
      check(y - a0 - drop(x %*% beta)) + lambda * sum(sds * abs(beta))
    }
    fit <- smem(x, y, family = "quantile", tau = tau, lambda = lambda)
    expect_true(fit$converged)
    ours <- objective(fit$a0, fit$beta)
    expect_lte(abs(ours - lp$objval) / lp$objval, 1e-6)
  }
})

test_that("the hinge loss with the ridge matches a quadratic program", {
  skip_if_not_installed("quadprog")
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  x <- scale(data$x)
  y <- 2 * binary_response(data$y) - 1
  n <- nrow(x)
  p <- ncol(x)
  for (lambda in c(0.1, 0.01, 0.001)) {
    # primal: min (1/n) sum xi + lambda/2 |b|^2 with xi >= 0,
    # xi >= 1 - y (b0 + x b); variables (b0, b, xi). The intercept and the
    # slacks get a curvature of 1e-10 so that the matrix is positive definite.
    dmat <- diag(c(1e-10, rep(lambda, p), rep(1e-10, n)))
    dvec <- -c(0, rep(0, p), rep(1 / n, n))
    amat <- rbind(
      cbind(y, y * x, diag(n)),
      cbind(0, matrix(0, n, p), diag(n))
    )
    qp <- quadprog::solve.QP(dmat, dvec, t(amat), c(rep(1, n), rep(0, n)))
    objective <- function(a0, beta) {
      mean(pmax(0, 1 - y * (a0 + drop(x %*% beta)))) + lambda / 2 * sum(beta^2)
    }
    reference <- objective(qp$solution[1], qp$solution[2:(p + 1)])
    fit <- smem(x, y, family = "hinge", penalty = "ridge", lambda = lambda, standardize = FALSE)
    expect_true(fit$converged)
    ours <- objective(fit$a0, fit$beta)
    expect_lte((ours - reference) / reference, 1e-6)
    expect_equal(unname(fit$beta), qp$solution[2:(p + 1)], tolerance = 1e-3)
  }
})

test_that("hinge and quantile paths run on real data and predict by type", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  path <- smem_path(data$x, data$y, family = "hinge", nlambda = 30)
  expect_true(all(path$converged))
  classes <- predict(path, data$x[1:5, ], s = min(path$lambda), type = "class")
  expect_true(all(classes %in% levels(data$y)))
  expect_error(predict(path, data$x[1:5, ], type = "response"), "hinge")
  boston <- real_data("boston")
  q90 <- smem_path(boston$x, boston$y, family = "quantile", tau = 0.9, nlambda = 30)
  expect_true(all(q90$converged))
  # at the smallest lambda about 10% of the observations lie above the fit
  above <- mean(boston$y > predict(q90, boston$x, s = min(q90$lambda)))
  expect_equal(above, 0.1, tolerance = 0.03)
})
