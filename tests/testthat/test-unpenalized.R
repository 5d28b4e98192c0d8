# A vanishing ridge penalty gives the unpenalized maximum-likelihood fit.

test_that("a vanishing ridge penalty gives glm()'s logistic regression", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  reference <- stats::glm(data$y ~ data$x,
    family = stats::binomial(),
    control = stats::glm.control(epsilon = 1e-15, maxit = 100)
  )
  fit <- smem(data$x, data$y,
    family = "binomial", penalty = "ridge", lambda = 1e-12,
    control = smem_control(tol = 1e-9)
  )
  expect_true(fit$converged)
  expect_equal(unname(c(fit$a0, fit$beta)), unname(stats::coef(reference)), tolerance = 1e-7)
  expect_equal(deviance(fit), stats::deviance(reference), tolerance = 1e-10)
  expect_equal(as.numeric(logLik(fit)), as.numeric(stats::logLik(reference)), tolerance = 1e-10)
})

test_that("a vanishing ridge penalty gives lm() with weights", {
  skip_if_not_installed("MASS")
  data <- real_data("boston")
  set.seed(3)
  w <- stats::runif(nrow(data$x), 0.5, 2)
  reference <- stats::lm(data$y ~ data$x, weights = w)
  fit <- smem(data$x, data$y, penalty = "ridge", lambda = 1e-13, weights = w)
  expect_equal(unname(c(fit$a0, fit$beta)), unname(stats::coef(reference)), tolerance = 1e-8)
  expect_equal(as.numeric(logLik(fit)), as.numeric(stats::logLik(reference)), tolerance = 1e-10)
})

test_that("an offset enters the linear predictor as in glm()", {
  skip_if_not_installed("MASS")
  data <- real_data("biopsy")
  set.seed(5)
  offset <- stats::rnorm(nrow(data$x), sd = 0.5)
  reference <- stats::glm(data$y ~ data$x,
    family = stats::binomial(), offset = offset,
    control = stats::glm.control(epsilon = 1e-15, maxit = 100)
  )
  fit <- smem(data$x, data$y,
    family = "binomial", penalty = "ridge", lambda = 1e-12,
    offset = offset, control = smem_control(tol = 1e-9)
  )
  expect_equal(unname(c(fit$a0, fit$beta)), unname(stats::coef(reference)), tolerance = 1e-7)
  expect_equal(fit$nulldev, reference$null.deviance, tolerance = 1e-8)
})
