# MCP and SCAD paths against ncvreg on ncvreg's own lambda grid. The
# objectives are written out from the definitions (ncvreg's scale: the loss
# per observation plus the penalty of the standardized coefficients). The
# penalties are not convex, so two solvers may stop at different local
# minima; a path from smem must then be no worse than ncvreg's and satisfy
# the stationarity conditions itself.

mcp_value <- function(a, lambda, gamma) {
  ifelse(a <= gamma * lambda, lambda * a - a^2 / (2 * gamma), gamma * lambda^2 / 2)
}
scad_value <- function(a, lambda, gamma) {
  ifelse(a <= lambda, lambda * a,
    ifelse(a <= gamma * lambda,
      (2 * gamma * lambda * a - a^2 - lambda^2) / (2 * (gamma - 1)),
      lambda^2 * (gamma + 1) / 2
    )
  )
}
mcp_slope <- function(a, lambda, gamma) pmax(0, lambda - a / gamma)
scad_slope <- function(a, lambda, gamma) {
  ifelse(a <= lambda, lambda, pmax(0, gamma * lambda - a) / (gamma - 1))
}

nonconvex_setup <- function(x, y, family) {
  sds <- sqrt(colMeans(sweep(x, 2, colMeans(x))^2))
  z <- sweep(sweep(x, 2, colMeans(x)), 2, sds, "/")
  loss <- function(eta) {
    if (family == "binomial") mean(log1p(exp(eta)) - y * eta) else mean((y - eta)^2) / 2
  }
  residual <- function(eta) {
    if (family == "binomial") stats::plogis(eta) - y else eta - y
  }
  list(sds = sds, z = z, loss = loss, residual = residual)
}

check_against_ncvreg <- function(x, y, family, penalty, gamma) {
  value <- if (penalty == "MCP") mcp_value else scad_value
  slope <- if (penalty == "MCP") mcp_slope else scad_slope
  reference <- ncvreg::ncvreg(x, y,
    family = family, penalty = penalty, gamma = gamma,
    eps = 1e-12, max.iter = 1e7
  )
  path <- smem_path(x, y,
    family = family, penalty = tolower(penalty), gamma = gamma,
    lambda = reference$lambda, early.stop = FALSE
  )
  expect_true(all(path$converged))
  s <- nonconvex_setup(x, y, family)
  # largest violation of the stationarity conditions at (a0, beta): zero
  # coefficients within the slope at zero, nonzero ones (and the intercept)
  # with a zero derivative
  violation <- function(a0, beta, lambda) {
    eta <- a0 + drop(x %*% beta)
    score <- drop(crossprod(s$z, s$residual(eta))) / length(y)
    b <- beta * s$sds
    active <- b != 0
    max(
      abs(mean(s$residual(eta))),
      abs(score[!active]) - lambda,
      abs(score[active] + slope(abs(b[active]), lambda, gamma) * sign(b[active]))
    )
  }
  gaps <- numeric(length(path$lambda))
  reference_stationary <- logical(length(path$lambda))
  for (k in seq_along(path$lambda)) {
    lambda <- path$lambda[k]
    objective <- function(a0, beta) {
      s$loss(a0 + drop(x %*% beta)) + sum(value(abs(beta * s$sds), lambda, gamma))
    }
    beta <- as.vector(path$beta[, k])
    ours <- objective(path$a0[k], beta)
    theirs <- objective(reference$beta[1, k], reference$beta[-1, k])
    gaps[k] <- (ours - theirs) / abs(theirs)
    expect_lte(violation(path$a0[k], beta, lambda), 1e-6)
    reference_stationary[k] <- violation(reference$beta[1, k], reference$beta[-1, k], lambda) <= 1e-5
  }
  same_support <- vapply(seq_along(path$lambda), function(k) {
    all((as.vector(path$beta[, k]) != 0) == (unname(reference$beta[-1, k]) != 0))
  }, logical(1))
  list(gaps = gaps, same_support = same_support, reference_stationary = reference_stationary)
}

test_that("MCP and SCAD gaussian paths equal ncvreg's", {
  skip_if_not_installed("ncvreg")
  skip_if_not_installed("MASS")
  for (name in c("boston", "birthwt")) {
    data <- real_data(name)
    y <- data$y - mean(data$y)
    for (penalty in c("MCP", "SCAD")) {
      gamma <- if (penalty == "MCP") 3 else 3.7
      result <- check_against_ncvreg(data$x, y, "gaussian", penalty, gamma)
      # the gaussian problems here have a unique stationary path from the
      # warm starts: both solvers reach the same objective
      expect_lte(max(abs(result$gaps)), 1e-7)
    }
  }
})

test_that("MCP and SCAD binomial paths are stationary and agree with ncvreg on a shared branch", {
  skip_if_not_installed("ncvreg")
  skip_if_not_installed("MASS")
  for (name in c("pima", "biopsy")) {
    data <- real_data(name)
    y <- binary_response(data$y)
    for (penalty in c("MCP", "SCAD")) {
      gamma <- if (penalty == "MCP") 3 else 3.7
      result <- check_against_ncvreg(data$x, y, "binomial", penalty, gamma)
      # Along these logistic paths the two solvers part in places: at some
      # lambdas ncvreg's returned point is not stationary for this
      # objective (a derivative of order 1e-2 on Pima with MCP), at others
      # both are stationary but on different local minima. The objectives
      # are compared where ncvreg's point is stationary and the supports
      # agree; smem's stationarity was checked at every lambda above.
      shared <- result$same_support & result$reference_stationary
      expect_gte(mean(shared), 0.1)
      expect_lte(max(abs(result$gaps[shared])), 1e-6)
    }
  }
})

test_that("MCP with a huge gamma is the lasso", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  lasso <- smem_path(data$x, data$y, family = "binomial", nlambda = 20)
  mcp <- smem_path(data$x, data$y, family = "binomial", penalty = "mcp", gamma = 1e8, lambda = lasso$lambda)
  expect_equal(as.matrix(mcp$beta), as.matrix(lasso$beta), tolerance = 1e-6)
})

test_that("non-convex penalties leave large coefficients less shrunk than the lasso", {
  skip_if_not_installed("MASS")
  data <- real_data("boston")
  lasso <- smem(data$x, data$y, lambda = 0.3)
  for (penalty in c("mcp", "scad", "log", "bridge", "horseshoe")) {
    fit <- smem(data$x, data$y, penalty = penalty, lambda = 0.3)
    expect_true(fit$converged)
    biggest <- which.max(abs(lasso$beta * apply(data$x, 2, stats::sd)))
    expect_gt(abs(fit$beta[biggest]), abs(lasso$beta[biggest]))
  }
})

test_that("paths of every penalty end each lambda at a stationary point", {
  skip_if_not_installed("MASS")
  # The penalty's slope is written out in helper-pairs.R; the loss score is
  # computed here. A nonzero coefficient needs a zero derivative; a zero one
  # a score within lambda * P'(0+) (infinite for bridge and horseshoe).
  cases <- list(
    list(data = real_data("boston"), family = "gaussian"),
    list(data = real_data("pima"), family = "binomial")
  )
  shapes <- list(
    mcp = list(gamma = 3), scad = list(gamma = 3.7), log = list(gamma = 0.5),
    bridge = list(q = 0.5), horseshoe = list()
  )
  for (case in cases) {
    x <- case$data$x
    y <- if (case$family == "binomial") binary_response(case$data$y) else case$data$y / 10
    sds <- sqrt(colMeans(sweep(x, 2, colMeans(x))^2))
    z <- sweep(sweep(x, 2, colMeans(x)), 2, sds, "/")
    for (penalty in names(shapes)) {
      for (alpha in c(1, 0.7)) {
        args <- c(
          list(x = x, y = y, family = case$family, penalty = penalty, alpha = alpha, nlambda = 12),
          shapes[[penalty]]
        )
        path <- do.call(smem_path, args)
        label <- paste(case$family, penalty, alpha)
        expect_true(all(path$converged), label = label)
        gamma <- if (is.null(shapes[[penalty]]$gamma)) NA else shapes[[penalty]]$gamma
        q <- if (is.null(shapes[[penalty]]$q)) NA else shapes[[penalty]]$q
        for (k in seq_along(path$lambda)) {
          beta <- as.vector(path$beta[, k])
          eta <- path$a0[k] + drop(x %*% beta)
          residual <- if (case$family == "binomial") stats::plogis(eta) - y else eta - y
          score <- drop(crossprod(z, residual)) / length(y)
          b <- beta * sds
          active <- b != 0
          lambda <- path$lambda[k]
          slope <- lambda * reference_penalty_slope(penalty, abs(b[active]), lambda, alpha, gamma, q)
          expect_lte(max(c(0, abs(score[active] + slope * sign(b[active])))), 1e-5, label = label)
          if (penalty %in% c("mcp", "scad", "log")) {
            at_zero <- lambda * alpha * (if (penalty == "log") 1 / gamma else 1)
            expect_lte(max(c(0, abs(score[!active]))), at_zero * (1 + 1e-6) + 1e-7, label = label)
          }
        }
      }
    }
  }
})
