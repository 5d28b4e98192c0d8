# smem() against glmnet on real data: same objective to 1e-7 (relative), same
# support apart from coefficients below 1e-6 on the standardized scale.

compare_single_fits <- function(data, family, alpha, at) {
  y <- if (family == "binomial") data$y else unit_scale(data$y)
  reference <- glmnet_reference(data$x, y, family = family, alpha = alpha)
  yy <- if (family == "binomial") binary_response(y) else y
  penalty <- if (alpha == 1) "lasso" else if (alpha == 0) "ridge" else "enet"
  gaps <- numeric(0)
  for (k in at[at <= length(reference$lambda)]) {
    lambda <- reference$lambda[k]
    fit <- smem(data$x, y,
      family = family, penalty = penalty,
      alpha = if (alpha == 0) NULL else alpha, lambda = lambda
    )
    expect_true(fit$converged)
    ours <- reference_objective(fit$a0, fit$beta, data$x, yy, lambda, alpha, family)
    theirs <- reference_objective(
      reference$a0[k], reference$beta[, k], data$x, yy, lambda, alpha, family
    )
    gaps <- c(gaps, (ours - theirs) / abs(theirs))
    expect_lte((ours - theirs) / abs(theirs), 1e-7)
    expect_length(support_differences(fit$beta, reference$beta[, k], data$x), 0)
    # the objective the fit records is the same quantity
    expect_equal(utils::tail(fit$objective, 1), ours, tolerance = 1e-10)
  }
  invisible(gaps)
}

test_that("binomial lasso, ridge and elastic net match glmnet on Pima, biopsy and Sonar", {
  skip_if_not_installed("glmnet")
  skip_if_not_installed("MASS")
  skip_if_not_installed("mlbench")
  for (name in c("pima", "biopsy", "sonar")) {
    data <- real_data(name)
    for (alpha in c(1, 0.5, 0)) {
      compare_single_fits(data, "binomial", alpha, at = c(2, 10, 25, 50))
    }
  }
})

test_that("binomial lasso matches glmnet on the spam data", {
  skip_if_not_installed("glmnet")
  skip_if_not_installed("kernlab")
  compare_single_fits(real_data("spam"), "binomial", 1, at = c(10, 40))
})

test_that("gaussian lasso, ridge and elastic net match glmnet on birthwt and Boston", {
  skip_if_not_installed("glmnet")
  skip_if_not_installed("MASS")
  for (name in c("birthwt", "boston")) {
    data <- real_data(name)
    for (alpha in c(1, 0.5, 0)) {
      compare_single_fits(data, "gaussian", alpha, at = c(2, 10, 25, 50))
    }
  }
})

test_that("weights, offset and penalty factors are on glmnet's scale", {
  skip_if_not_installed("glmnet")
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  set.seed(11)
  weights <- stats::runif(nrow(data$x), 0.2, 3)
  offset <- stats::rnorm(nrow(data$x), sd = 0.3)
  factors <- c(0, 1, 2, 1, 0.5, 1, 1)
  yy <- binary_response(data$y)
  reference <- glmnet_reference(data$x, data$y,
    family = "binomial", weights = weights, offset = offset,
    penalty.factor = factors, alpha = 0.7
  )
  for (k in c(5, 30)) {
    lambda <- reference$lambda[k]
    fit <- smem(data$x, data$y,
      family = "binomial", penalty = "enet", alpha = 0.7,
      lambda = lambda, weights = weights, offset = offset, penalty.factor = factors
    )
    ours <- reference_objective(fit$a0, fit$beta, data$x, yy, lambda, 0.7, "binomial",
      weights = weights, penalty.factor = factors, offset = offset
    )
    theirs <- reference_objective(reference$a0[k], reference$beta[, k], data$x, yy,
      lambda, 0.7, "binomial",
      weights = weights, penalty.factor = factors, offset = offset
    )
    expect_lte((ours - theirs) / abs(theirs), 1e-7)
    expect_length(support_differences(fit$beta, reference$beta[, k], data$x), 0)
  }
})

test_that("standardize = FALSE and intercept = FALSE match glmnet", {
  skip_if_not_installed("glmnet")
  skip_if_not_installed("MASS")
  data <- real_data("biopsy")
  yy <- binary_response(data$y)
  for (intercept in c(TRUE, FALSE)) {
    reference <- glmnet_reference(data$x, data$y,
      family = "binomial", standardize = FALSE, intercept = intercept
    )
    lambda <- reference$lambda[20]
    fit <- smem(data$x, data$y,
      family = "binomial", lambda = lambda, standardize = FALSE,
      intercept = intercept
    )
    if (!intercept) expect_equal(unname(fit$a0), 0)
    excess <- objective_excess(fit$a0, fit$beta, reference, 20, data$x, yy, lambda, 1, "binomial",
      standardize = FALSE
    )
    expect_lte(excess, 1e-7)
  }
})

test_that("unstandardized paths on columns of large scale converge without warnings to glmnet's objective", {
  # Pima's columns have spreads up to 30 and means up to 120: measured on
  # those scales, the optimality violation used to stop at rounding level
  # short of tol at 8 of 100 levels (with a warning)
  skip_if_not_installed("glmnet")
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  yy <- binary_response(data$y)
  for (intercept in c(TRUE, FALSE)) {
    path <- expect_no_warning(smem_path(data$x, data$y,
      family = "binomial", standardize = FALSE, intercept = intercept
    ))
    expect_true(all(path$converged))
    reference <- glmnet_reference(data$x, data$y,
      family = "binomial", standardize = FALSE, intercept = intercept,
      lambda = path$lambda, thresh = 1e-13
    )
    for (k in seq(1, length(path$lambda), by = 3)) {
      excess <- objective_excess(path$a0[k], path$beta[, k], reference, k, data$x, yy,
        path$lambda[k], 1, "binomial",
        standardize = FALSE
      )
      expect_lte(excess, 1e-9)
    }
  }
})
