# Reproducers of defects found by trying the package as a new user; each test
# is named after the symptom.

test_that("a column on a tiny scale or with a huge mean is not taken as constant", {
  skip_if_not_installed("MASS")
  data <- real_data("boston")
  reference <- smem(data$x, data$y, lambda = 0.1)
  tiny <- data$x
  tiny[, 1] <- tiny[, 1] * 1e-9
  scaled <- smem(tiny, data$y, lambda = 0.1)
  expect_equal(unname(scaled$beta[1]) * 1e-9, unname(reference$beta[1]), tolerance = 1e-5)
  shifted <- data$x
  shifted[, 6] <- shifted[, 6] + 1e9
  moved <- smem(shifted, data$y, lambda = 0.1)
  expect_equal(unname(moved$beta[6]), unname(reference$beta[6]), tolerance = 1e-4)
  expect_equal(moved$dev.ratio, reference$dev.ratio, tolerance = 1e-6)
})

test_that("a gaussian response on a small scale gives the rescaled answer", {
  skip_if_not_installed("MASS")
  data <- real_data("boston")
  reference <- smem(data$x, data$y, lambda = 0.1)
  for (k in c(1e-4, 1e-8)) {
    small <- smem(data$x, data$y * k, lambda = 0.1 * k)
    expect_true(small$converged)
    expect_equal(unname(small$beta) / k, unname(reference$beta), tolerance = 1e-5)
  }
  path <- smem_path(data$x, data$y * 1e-6, nlambda = 20, early.stop = FALSE)
  unit <- smem_path(data$x, data$y, lambda = path$lambda * 1e6, early.stop = FALSE)
  expect_equal(as.matrix(path$beta) / 1e-6, as.matrix(unit$beta), tolerance = 1e-5)
})

test_that("intercept = FALSE with standardize = TRUE is on glmnet's scale", {
  skip_if_not_installed("glmnet")
  skip_if_not_installed("MASS")
  data <- real_data("boston")
  y <- unit_scale(data$y)
  reference <- glmnet_reference(data$x, y, intercept = FALSE)
  for (k in c(10, 30)) {
    lambda <- reference$lambda[k]
    fit <- smem(data$x, y, lambda = lambda, intercept = FALSE)
    expect_equal(unname(fit$beta), unname(reference$beta[, k]), tolerance = 1e-5)
  }
})

test_that("the main job's two-column coefficient table gets both columns", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  set.seed(3)
  cv <- smem_cv(data$x, data$y, family = "binomial", nfolds = 5)
  both <- coef(cv, s = c("lambda.min", "lambda.1se"))
  expect_equal(colnames(both), c("lambda.min", "lambda.1se"))
  expect_equal(as.vector(both[, 2]), as.vector(coef(cv, s = "lambda.1se")))
  expect_equal(colnames(coef(cv)), "lambda.1se")
})

test_that("a maxit too large for an integer is refused, not turned into NA", {
  expect_error(smem_control(maxit = 1e12), "`maxit`")
  expect_error(smem_control(maxit = 2.5), "whole number")
})

test_that("s on a single fit and exact = TRUE on a path are refused, not ignored", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  fit <- smem(data$x, data$y, family = "binomial", lambda = 0.05)
  expect_error(coef(fit, s = 0.5), "one penalty level")
  expect_error(predict(fit, data$x, s = 0.5), "one penalty level")
  path <- smem_path(data$x, data$y, family = "binomial", nlambda = 10)
  expect_error(coef(path, s = 0.05, exact = TRUE), class = "smem_error_unavailable")
  expect_error(coef(path, s = -1), "non-negative")
})

test_that("the lasso refuses a ridge mixing it would silently apply", {
  x <- matrix(stats::rnorm(40), 20, 2)
  expect_error(smem(x, stats::rnorm(20), lambda = 0.1, alpha = 0.3), "penalty = \"enet\"")
  expect_error(smem(x, stats::rnorm(20), lambda = 0.1, alpha = 0), "`alpha`")
})

test_that("a start far from the optimum still converges, and is not called separation", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  best <- smem(data$x, data$y, family = "binomial", lambda = 0.01)
  far <- smem(data$x, data$y,
    family = "binomial", lambda = 0.01,
    init = c(0, rep(1000, 7)), control = smem_control(curvature = "pg")
  )
  expect_true(far$converged)
  expect_false(far$separation)
  expect_equal(utils::tail(far$objective, 1), utils::tail(best$objective, 1), tolerance = 1e-10)
})

test_that("overflowing x or weights give an error, not NaN", {
  skip_if_not_installed("MASS")
  data <- real_data("boston")
  x <- data$x
  x[1:3, 1] <- 1e308
  expect_error(smem(x, data$y, lambda = 0.1), "overflow")
  weights <- c(1e308, 1e308, rep(1, nrow(data$x) - 2))
  expect_error(smem(data$x, data$y, lambda = 0.1, weights = weights), "overflow")
})

test_that("predict() matches named columns given in another order", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  fit <- smem(data$x, data$y, family = "binomial", lambda = 0.01)
  straight <- predict(fit, data$x[1:3, ])
  expect_equal(predict(fit, data$x[1:3, 7:1]), straight)
  expect_equal(predict(fit, as.data.frame(data$x[1:3, 7:1])), straight)
  renamed <- data$x[1:3, ]
  colnames(renamed)[1] <- "pregnancies"
  expect_error(predict(fit, renamed), "column names differ")
})

test_that("deviance() of a path gives one value per lambda", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  path <- smem_path(data$x, data$y, family = "binomial", nlambda = 10, early.stop = FALSE)
  expect_length(deviance(path), 10)
  single <- smem(data$x, data$y, family = "binomial", lambda = path$lambda[5])
  expect_equal(deviance(path)[5], deviance(single), tolerance = 1e-6)
})

test_that("unpenalized columns do not make penalized ones enter at lambda_max", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  factors <- c(rep(0, 6), 1)
  path <- smem_path(data$x, data$y, family = "binomial", penalty.factor = factors, nlambda = 10)
  expect_equal(unname(path$beta[7, 1]), 0)
  expect_equal(path$df[1], 6)
})

test_that("constant inputs get clear errors", {
  x <- matrix(1, 20, 3)
  expect_error(smem_path(x, stats::rnorm(20)), "not constant")
  y <- rep(2, 20)
  expect_error(smem(matrix(stats::rnorm(40), 20, 2), y, lambda = 0.1), "must not be constant")
})

test_that("negative binomial fits with large counts reach glm()'s answer", {
  skip_if_not_installed("MASS")
  # the tolerance used to grow with the spread of the counts: with counts
  # near 1e6 the fit stopped early and still reported convergence
  set.seed(1)
  x <- matrix(stats::rnorm(1500), 500, 3)
  y <- stats::rnbinom(500, size = 2, mu = exp(14 + drop(x %*% c(0.5, -0.3, 0))))
  fit <- smem(x, y, family = "negbin", size = 2, penalty = "ridge", lambda = 0)
  reference <- stats::glm(y ~ x,
    family = MASS::negative.binomial(2),
    control = list(epsilon = 1e-12, maxit = 100)
  )
  expect_true(fit$converged)
  expect_equal(unname(c(fit$a0, fit$beta)), unname(stats::coef(reference)), tolerance = 1e-6)
  # and with a tiny size
  data("quine", package = "MASS", envir = environment())
  xq <- stats::model.matrix(~ Eth + Sex + Age + Lrn, quine)[, -1]
  small <- smem(xq, quine$Days, family = "negbin", size = 1e-3, penalty = "ridge", lambda = 0)
  reference <- stats::glm(quine$Days ~ xq,
    family = MASS::negative.binomial(1e-3),
    control = list(epsilon = 1e-12, maxit = 200)
  )
  expect_equal(unname(c(small$a0, small$beta)), unname(stats::coef(reference)), tolerance = 1e-5)
})

test_that("hinge cross-validation works with the default measure and paths run to the end", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  cv <- smem_cv(data$x, data$y, family = "hinge", nfolds = 5, nlambda = 20)
  expect_true(all(is.finite(cv$cvm)))
  biopsy <- real_data("biopsy")
  path <- smem_path(biopsy$x, biopsy$y, family = "hinge", nlambda = 30)
  expect_length(path$lambda, 30)
})

test_that("degenerate or unscalable responses and stray arguments are refused", {
  skip_if_not_installed("MASS")
  data <- real_data("boston")
  expect_error(smem(data$x, rep(0.3, nrow(data$x)), family = "binomial", lambda = 0.1), "constant")
  expect_error(smem(data$x, rep(0, nrow(data$x)), family = "negbin", size = 1, lambda = 0.1), "constant")
  expect_error(smem(data$x, rep(2, nrow(data$x)), family = "quantile", lambda = 0.1), "constant")
  expect_error(smem(data$x, data$y * 1e154, lambda = 0.01), "scale", class = "smem_error_input")
  expect_error(smem(data$x, data$y * 1e-200, family = "quantile", lambda = 0.01), "scale")
  path <- smem_path(data$x, data$y, nlambda = 10)
  expect_error(coef(path, lambda = 0.1), "Unknown argument")
  expect_error(predict(path, data$x[1:2, ], foo = 1), "Unknown argument")
  expect_error(predict(path, data$x[1:2, ], newoffset = c(0, 0)), "without an offset")
  # columns whose squares underflow are still columns
  tiny <- cbind(data$x[, 1:3] * 1e-170, data$x[, 4:13])
  expect_equal(
    unname(smem(tiny, data$y, lambda = 0.01)$beta[1:3] * 1e-170),
    unname(smem(data$x, data$y, lambda = 0.01)$beta[1:3]),
    tolerance = 1e-8
  )
})

test_that("negative binomial fits with counts near 1e18 solve the score equations", {
  # the score (y + h) plogis(psi) - y lost all its digits once plogis(psi)
  # rounded to 1: the fit zeroed the slopes and reported convergence
  set.seed(1)
  x <- matrix(stats::rnorm(200), 100)
  y <- stats::rnbinom(100, size = 5, mu = 1e18 * exp(0.5 * x[, 1]))
  fit <- smem(x, y, family = "negbin", size = 5, lambda = 0)
  expect_true(fit$converged)
  # the score written out in R, in the form h - (y + h) plogis(-psi)
  psi <- drop(fit$a0 + x %*% fit$beta) - log(5)
  score <- 5 - (y + 5) * stats::plogis(-psi)
  expect_lt(max(abs(c(mean(score), colMeans(x * score)))), 1e-6)
  expect_gt(fit$beta[1], 0.3)
})

test_that("a negative binomial single fit with large counts and size reaches glm()", {
  skip_if_not_installed("MASS")
  # from a zero intercept, Bohning's bound (y + size) / 4 made the EM steps
  # 1e5 times too short: 10000 iterations without converging
  set.seed(1)
  x <- matrix(stats::rnorm(200), 100)
  y <- stats::rnbinom(100, size = 100, mu = 1e8 * exp(0.5 * x[, 1]))
  fit <- smem(x, y, family = "negbin", size = 100, lambda = 0)
  reference <- stats::glm(y ~ x,
    family = MASS::negative.binomial(100), start = c(log(mean(y)), 0, 0),
    control = list(epsilon = 1e-12, maxit = 100)
  )
  expect_true(fit$converged)
  expect_lt(fit$iter, 100)
  expect_equal(unname(c(fit$a0, fit$beta)), unname(stats::coef(reference)), tolerance = 1e-6)
  penalized <- smem(x, y, family = "negbin", size = 100, lambda = 0.01)
  expect_true(penalized$converged)
  expect_lt(penalized$iter, 100)
})

test_that("an unpenalized binomial fit with p > n that separates the classes is flagged", {
  set.seed(1)
  x <- matrix(stats::rnorm(5000), 50)
  y <- stats::rbinom(50, 1, 0.5)
  expect_warning(fit <- smem(x, y, family = "binomial", lambda = 0), class = "smem_warning_separation")
  expect_true(fit$separation)
  # a penalized fit of the same data is not
  expect_false(smem(x, y, family = "binomial", lambda = 0.05)$separation)
})

test_that("coef() of a cross-validation rejects arguments it would ignore", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  set.seed(3)
  cv <- smem_cv(data$x, data$y, family = "binomial", nfolds = 3, nlambda = 10)
  expect_error(coef(cv, lambda = 0.05), "Unknown argument")
  expect_error(coef(cv, s = 0.05, exact = TRUE), class = "smem_error_unavailable")
})

test_that("newx with a missing column name and dense Matrix x are handled", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  fit <- smem(data$x, data$y, family = "binomial", lambda = 0.02)
  newx <- data$x[1:3, ]
  colnames(newx)[2] <- NA
  expect_equal(unname(predict(fit, newx)), unname(predict(fit, unname(data$x[1:3, ]))))
  dense <- smem(Matrix::Matrix(data$x, sparse = FALSE), data$y, family = "binomial", lambda = 0.02)
  expect_equal(dense$beta, fit$beta)
})

test_that("a user grid is fitted whole, even when it starts with null fits", {
  # the early stop (glmnet's, for the default grid) fired after five null
  # fits whose deviance explained was at rounding level
  set.seed(1)
  x <- matrix(stats::rnorm(1000 * 100), 1000)
  y <- stats::rbinom(1000, 1, stats::plogis(drop(x[, 1:10] %*% stats::rnorm(10))))
  grid <- 10^seq(0, -4, length.out = 100)
  path <- smem_path(x, y, family = "binomial", lambda = grid)
  expect_length(path$lambda, 100)
  expect_equal(path$df[1:5], rep(0L, 5))
  expect_gt(max(path$df), 50)
  expect_equal(ncol(path$beta), 100)
})

test_that("columns varying by less than the smallest normal number are refused by name", {
  set.seed(7)
  x <- matrix(stats::rnorm(240), 60)
  y <- drop(x %*% c(1, -1, 0.5, 0) + stats::rnorm(60))
  x[, 1] <- x[, 1] * 1e-310
  expect_error(smem(x, y, lambda = 0.05), "Column 1 has a smaller spread", class = "smem_error_input")
  expect_error(smem_path(x, y), "vary by less than", class = "smem_error_input")
})

test_that("a gaussian response with a large mean keeps the slopes' digits", {
  # the core fits y minus its mean: least squares on the centred response
  # (lm() on the raw response loses digits itself at this mean)
  set.seed(3)
  x <- matrix(stats::rnorm(500), 100)
  y <- x[, 1] + stats::rnorm(100) + 1e12
  fit <- expect_no_warning(smem(x, y, lambda = 0))
  centred <- stats::lm(I(y - mean(y)) ~ x)
  expect_equal(unname(fit$beta), unname(stats::coef(centred)[-1]), tolerance = 1e-10)
  expect_equal(unname(fit$a0), mean(y) + unname(stats::coef(centred)[1]), tolerance = 1e-14)
  expect_equal(unname(predict(fit, x[1:3, ])[, 1]), unname(stats::fitted(centred)[1:3]) + mean(y),
               tolerance = 1e-14)
  # and a start given on the original scale is read back consistently
  again <- smem(x, y, lambda = 0, init = coef(fit))
  expect_equal(unname(again$beta), unname(fit$beta), tolerance = 1e-10)
  expect_lte(again$iter, 2)
})
