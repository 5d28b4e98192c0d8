# Separable classes with a tiny penalty: a warning and a flag, never NaN.

test_that("separation is reported with a warning and a flag, not NaN", {
  set.seed(9)
  x <- matrix(stats::rnorm(100), 50, 2)
  y <- as.numeric(x[, 1] > 0)
  for (lambda in c(0, 1e-10)) {
    expect_warning(
      fit <- smem(x, y,
        family = "binomial", penalty = "ridge", lambda = lambda,
        control = smem_control(maxit = 200)
      ),
      class = "smem_warning_separation"
    )
    expect_true(fit$separation)
    expect_true(all(is.finite(c(fit$a0, fit$beta))))
    expect_true(all(diff(fit$objective) <= 0))
  }
  expect_warning(
    fit <- smem(x, y, family = "binomial", lambda = 1e-6),
    class = "smem_warning_separation"
  )
  expect_true(all(is.finite(c(fit$a0, fit$beta))))
  expect_true(all(is.finite(fit$objective)))
  expect_true(all(diff(fit$objective) <= 0))
})

test_that("a penalty large enough gives a finite, converged fit on separable data", {
  set.seed(9)
  x <- matrix(stats::rnorm(100), 50, 2)
  y <- as.numeric(x[, 1] > 0)
  fit <- smem(x, y, family = "binomial", lambda = 0.05)
  expect_true(fit$converged)
  expect_false(fit$separation)
})

test_that("a tolerance below rounding stops early with its own warning", {
  skip_if_not_installed("MASS")
  data <- real_data("biopsy")
  expect_warning(
    fit <- smem(data$x, data$y,
      family = "binomial", penalty = "ridge", lambda = 1e-12,
      control = smem_control(tol = 1e-14)
    ),
    "no step could lower the objective"
  )
  expect_false(fit$converged)
  expect_lt(fit$iter, 1000)
})
