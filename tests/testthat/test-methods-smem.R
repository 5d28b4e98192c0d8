# Methods of single fits.

pima_fit <- function(...) {
  data <- real_data("pima")
  list(data = data, fit = smem(data$x, data$y, family = "binomial", lambda = 0.02, ...))
}

test_that("predict() types agree with each other and with the coefficients", {
  skip_if_not_installed("MASS")
  made <- pima_fit()
  fit <- made$fit
  x <- made$data$x
  link <- predict(fit, x)
  expect_equal(drop(link), drop(fit$a0 + x %*% fit$beta))
  expect_equal(drop(predict(fit, x, type = "response")), stats::plogis(drop(link)))
  classes <- predict(fit, x, type = "class")
  expect_equal(drop(classes), ifelse(drop(link) > 0, "Yes", "No"))
  expect_equal(predict(fit, type = "coefficients"), coef(fit))
  expect_equal(predict(fit, type = "nonzero"), names(fit$beta)[fit$beta != 0])
  expect_equal(rownames(coef(fit)), c("(Intercept)", colnames(x)))
})

test_that("a class prediction is refused for the gaussian family", {
  skip_if_not_installed("MASS")
  data <- real_data("birthwt")
  fit <- smem(data$x, data$y, lambda = 10)
  expect_error(predict(fit, data$x, type = "class"), "binomial")
})

test_that("a fit with an offset needs newoffset to predict", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  offset <- rep(0.3, nrow(data$x))
  fit <- smem(data$x, data$y, family = "binomial", lambda = 0.02, offset = offset)
  expect_error(predict(fit, data$x), "newoffset")
  with_offset <- predict(fit, data$x, newoffset = offset)
  expect_equal(drop(with_offset), drop(fit$a0 + data$x %*% fit$beta) + 0.3)
})

test_that("a warm start from a fit reaches the same optimum in fewer iterations", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  first <- smem(data$x, data$y, family = "binomial", lambda = 0.02)
  again <- smem(data$x, data$y, family = "binomial", lambda = 0.02, init = first)
  expect_lte(again$iter, first$iter)
  # both stop at an optimality violation below 1e-7, which pins the
  # coefficients to about 1e-5
  expect_equal(again$beta, first$beta, tolerance = 1e-5)
  by_vector <- smem(data$x, data$y,
    family = "binomial", lambda = 0.02,
    init = c(first$a0, first$beta)
  )
  expect_equal(by_vector$beta, first$beta, tolerance = 1e-5)
  expect_error(smem(data$x, data$y, family = "binomial", lambda = 0.02, init = 1:3), "`init`")
})

test_that("print, summary, plot, deviance and logLik run and report the fit", {
  skip_if_not_installed("MASS")
  fit <- pima_fit()$fit
  expect_output(print(fit), "binomial regression, lasso penalty")
  expect_output(print(summary(fit)), "Nonzero coefficients")
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_invisible(plot(fit))
  expect_invisible(plot(fit, gap = TRUE))
  expect_equal(deviance(fit), fit$deviance)
  expect_equal(attr(logLik(fit), "df"), fit$df + 1)
  expect_equal(fit$dev.ratio, 1 - fit$deviance / fit$nulldev)
})

test_that("logical, factor and 0/1 responses give the same binomial fit", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  as_factor <- smem(data$x, data$y, family = "binomial", lambda = 0.02)
  as_logical <- smem(data$x, data$y == "Yes", family = "binomial", lambda = 0.02)
  as_number <- smem(data$x, as.numeric(data$y == "Yes"), family = "binomial", lambda = 0.02)
  expect_equal(as_logical$beta, as_factor$beta)
  expect_equal(as_number$beta, as_factor$beta)
  expect_equal(as_factor$classes, c("No", "Yes"))
})

test_that("a constant column gets a zero coefficient", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  x <- cbind(data$x, constant = 5)
  fit <- smem(x, data$y, family = "binomial", lambda = 0.001)
  expect_equal(unname(fit$beta["constant"]), 0)
  plain <- smem(data$x, data$y, family = "binomial", lambda = 0.001)
  expect_equal(fit$beta[1:7], plain$beta, tolerance = 1e-8)
})

test_that("sparse x gives the dense fit", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  dense <- smem(data$x, data$y, family = "binomial", lambda = 0.02)
  sparse <- smem(Matrix::Matrix(data$x, sparse = TRUE), data$y, family = "binomial", lambda = 0.02)
  expect_equal(sparse$beta, dense$beta)
})

test_that("logLik() refuses the losses that are not likelihoods and binomial counts", {
  set.seed(2)
  x <- matrix(stats::rnorm(60), 20, 3)
  y <- rep(c(-1, 1), 10)
  hinge <- smem(x, y, family = "hinge", lambda = 0.1)
  expect_error(logLik(hinge), "not a likelihood", class = "smem_error_input")
  counts <- cbind(successes = rep(1:4, 5), failures = rep(4:1, 5))
  binomial_counts <- smem(x, counts, family = "binomial", lambda = 0.01)
  expect_error(logLik(binomial_counts), "only implemented", class = "smem_error_input")
  expect_error(logLik(binomial_counts), "Use `deviance\\(\\)` instead", class = "smem_error_input")
})

test_that("plot(gap = TRUE) of a fit that started at its optimum says why it cannot draw", {
  set.seed(1)
  x <- matrix(stats::rnorm(60), 20, 3)
  y <- stats::rnorm(20)
  fit <- smem(x, y, lambda = 1e6)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_error(plot(fit, gap = TRUE), "needs an iteration above the final objective", class = "smem_error_input")
  expect_invisible(plot(fit))
})
