# The recorded objective never increases, with or without acceleration, on a
# badly conditioned design (pairwise correlation 0.95 between columns).

test_that("the objective never increases on a design with correlation 0.95", {
  x <- correlated_design(300, 40, 0.95, seed = 42)
  set.seed(43)
  truth <- c(rep(1.5, 5), rep(0, 35))
  eta <- drop(x %*% truth) / 3
  y_binary <- stats::rbinom(300, 1, stats::plogis(eta))
  y_normal <- eta + stats::rnorm(300)
  checked <- 0
  for (family in c("binomial", "gaussian")) {
    y <- if (family == "binomial") y_binary else y_normal
    for (penalty in c("lasso", "enet", "ridge")) {
      for (accelerate in c(TRUE, FALSE)) {
        for (polish in c(TRUE, FALSE)) {
          for (curvature in c("pg", "bohning")) {
            fit <- suppressWarnings(smem(x, y,
              family = family, penalty = penalty, lambda = 0.01,
              accelerate = accelerate,
              control = smem_control(polish = polish, maxit = 500, curvature = curvature)
            ))
            expect_true(all(diff(fit$objective) <= 0),
              label = paste(family, penalty, accelerate, polish, curvature)
            )
            expect_true(all(is.finite(fit$objective)))
            checked <- checked + 1
          }
        }
      }
    }
  }
  expect_equal(checked, 48)
})

test_that("plain EM on a correlated design still reaches glmnet's optimum", {
  skip_if_not_installed("glmnet")
  x <- correlated_design(200, 20, 0.95, seed = 7)
  set.seed(8)
  y <- stats::rbinom(200, 1, stats::plogis(drop(x[, 1:3] %*% c(1, -1, 0.5))))
  reference <- glmnet_reference(x, y, family = "binomial")
  lambda <- reference$lambda[15]
  fit <- smem(x, y,
    family = "binomial", lambda = lambda, accelerate = FALSE,
    control = smem_control(polish = FALSE, maxit = 100000, tol = 1e-6)
  )
  ours <- reference_objective(fit$a0, fit$beta, x, y, lambda, 1, "binomial")
  theirs <- reference_objective(reference$a0[15], reference$beta[, 15], x, y, lambda, 1, "binomial")
  expect_lte((ours - theirs) / theirs, 1e-7)
})

# Every family with every penalty (references in helper-pairs.R). The loop
# in the core refuses a step that would raise the objective, so a flat
# recorded trace alone would not show a majorizer that fails: the first test
# therefore takes single EM steps and evaluates the objective in R.

test_that("one plain EM step never raises the objective, for every family and penalty", {
  skip_if_not_installed("MASS")
  problems <- c("gaussian", "binomial", "proportions", "negbin", "hinge", "quantile")
  for (data in c(problems, "binomial_bohning", "negbin_bohning")) {
    problem <- pair_core_problem(sub("_bohning$", "", data))
    if (grepl("_bohning$", data)) problem$family <- data
    p <- ncol(problem$x1) - 1
    set.seed(31)
    starts <- list(
      c(problem$intercept + stats::rnorm(1, sd = 0.3), stats::rnorm(p, sd = 0.5)),
      c(problem$intercept, stats::rnorm(p, sd = 0.05)),
      c(problem$intercept - 1, stats::rnorm(p, sd = 1)),
      replace(pair_point(problem, 1), c(2, 4), c(1e-4, -1e-4))
    )
    # the rounded hinge and check losses at the default band and at a band
    # wide enough to hold many residuals
    bands <- if (problem$family %in% c("hinge", "quantile")) c(1e-6, 0.2) else 1e-6
    for (penalty in pair_penalties) {
      for (alpha in pair_alphas(penalty)) {
        for (band in bands) {
          change <- vapply(starts, function(b) {
            out <- pair_core_step(b, problem, penalty, problem$lambda, alpha, band = band)
            objective <- function(b) {
              reference_core_objective(b, problem, penalty, problem$lambda, alpha, band)
            }
            before <- objective(b)
            after <- objective(out$beta)
            (after - before) / abs(before)
          }, numeric(1))
          expect_true(all(change <= 1e-12),
            label = paste(data, penalty, alpha, band, "changes", toString(signif(change, 3)))
          )
        }
      }
    }
  }
})

test_that("the recorded objective never increases under plain EM, for every family and penalty", {
  skip_if_not_installed("MASS")
  # the horseshoe is left to the tests below: dropping a coefficient can
  # raise its objective (documented)
  control <- smem_control(polish = FALSE, maxit = 3000)
  for (data in pair_fit_names) {
    d <- pair_fit_data(data)
    for (penalty in setdiff(pair_penalties, "horseshoe")) {
      for (alpha in pair_alphas(penalty)) {
        fit <- pair_fit(d, penalty, alpha, accelerate = FALSE, control = control)
        expect_pair_objective(fit, d, penalty, alpha, paste(data, penalty, alpha, "plain"))
      }
    }
  }
})

test_that("with acceleration the objective never increases, for every family and penalty", {
  skip_if_not_installed("MASS")
  for (data in pair_fit_names) {
    d <- pair_fit_data(data)
    for (penalty in setdiff(pair_penalties, "horseshoe")) {
      for (alpha in pair_alphas(penalty)) {
        for (polish in c(FALSE, TRUE)) {
          fit <- pair_fit(d, penalty, alpha,
            accelerate = TRUE,
            control = smem_control(polish = polish, maxit = 3000)
          )
          label <- paste(data, penalty, alpha, "accelerated, polish", polish)
          expect_pair_objective(fit, d, penalty, alpha, label)
        }
      }
    }
  }
})

test_that("with no drops (drop_tol = 0) the horseshoe objective never increases", {
  skip_if_not_installed("MASS")
  # Without drops the horseshoe's coefficients shrink towards zero without
  # reaching it and the fit does not converge; a few iterations suffice.
  for (data in pair_fit_names) {
    d <- pair_fit_data(data)
    for (alpha in pair_alphas("horseshoe")) {
      for (accelerate in c(FALSE, TRUE)) {
        fit <- pair_fit(d, "horseshoe", alpha,
          accelerate = accelerate,
          control = smem_control(polish = FALSE, drop_tol = 0, maxit = 30)
        )
        label <- paste(data, "horseshoe", alpha, "accelerate", accelerate)
        expect_pair_objective(fit, d, "horseshoe", alpha, label)
      }
    }
  }
})

test_that("the horseshoe objective rises only at the iterations that drop a coefficient", {
  skip_on_cran() # about 200 short fits
  skip_if_not_installed("MASS")
  # The fit records the objective at every iteration but the support only
  # at the end. The iteration is deterministic, so the fit stopped by
  # maxit = k is the k-th iterate of the full fit (checked: its trace is the
  # start of the full trace) and its df is the support there. The start is
  # given (the ridge fit), so that maxit does not cut the ridge fit that
  # would otherwise provide it.
  for (data in c("binomial", "gaussian", "negbin")) {
    d <- pair_fit_data(data)
    ridge_data <- replace(d, "lambda", pair_lambda(d, "horseshoe"))
    ridge <- pair_fit(ridge_data, "ridge", 0, accelerate = TRUE, control = smem_control())
    init <- c(ridge$a0, ridge$beta)
    for (accelerate in c(FALSE, TRUE)) {
      label <- paste(data, "accelerate", accelerate)
      fit_to <- function(maxit) {
        pair_fit(d, "horseshoe", 1,
          accelerate = accelerate, init = init,
          control = smem_control(polish = FALSE, maxit = maxit)
        )
      }
      full <- fit_to(10000)
      expect_pair_objective(full, d, "horseshoe", 1, paste(label, "(drops allowed)"),
        monotone = FALSE
      )
      steps <- lapply(seq_len(full$iter), fit_to)
      is_prefix <- vapply(seq_along(steps), function(k) {
        identical(steps[[k]]$objective, full$objective[seq_len(k + 1)])
      }, logical(1))
      expect_true(all(is_prefix), label = paste(label, "maxit = k stops at iterate k"))
      df <- c(sum(init[-1] != 0), vapply(steps, function(fit) fit$df, numeric(1)))
      trace <- full$objective
      rises <- which(diff(trace) > 1e-12 * abs(trace[-length(trace)]))
      # the data are chosen so that coefficients are dropped and the
      # documented rise happens: otherwise this test would prove nothing
      expect_gt(length(rises), 0)
      expect_true(all(df[rises + 1] < df[rises]),
        label = paste(label, "rises at iterations", toString(rises))
      )
    }
  }
})

test_that("a horseshoe fit from a coefficient too small to square keeps a finite objective", {
  skip_if_not_installed("MASS")
  # |b| = 1e-170 on the standardized scale: b^2 / (2 t^2) underflows to
  # zero. The start is otherwise the ridge fit, from which the fit converges.
  d <- pair_fit_data("binomial")
  ridge_data <- replace(d, "lambda", pair_lambda(d, "horseshoe"))
  ridge <- pair_fit(ridge_data, "ridge", 0, accelerate = TRUE, control = smem_control())
  init <- c(ridge$a0, ridge$beta)
  spread <- sqrt(colMeans(sweep(d$x, 2, colMeans(d$x))^2))
  init[4] <- 1e-170 / spread[3]
  fit <- pair_fit(d, "horseshoe", 1, accelerate = TRUE, control = smem_control(), init = init)
  expect_true(all(is.finite(fit$objective)))
  expect_true(fit$converged)
  # the negligible coefficient is dropped, like any below drop_tol
  expect_identical(unname(fit$beta[3]), 0)
})
