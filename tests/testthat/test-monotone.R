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
