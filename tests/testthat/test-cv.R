# smem_cv(): folds, measures, agreement with a cross-validation written out
# by hand and with cv.glmnet on the same folds, parallel folds, methods and
# bad input.

# cv.glmnet at a tight threshold.
cv_glmnet_reference <- function(x, y, ...) {
  glmnet_reference(x, y, ..., fit = glmnet::cv.glmnet)
}

# The components that do not depend on timings or on the call.
cv_results <- function(cv) {
  cv[c(
    "lambda", "cvm", "cvsd", "cvup", "cvlo", "nzero", "name", "lambda.min",
    "lambda.1se", "index", "foldid", "fit.preval"
  )]
}

# A binary response with `events` ones among `n`, and three predictors.
rare_events <- function(n, events, seed) {
  set.seed(seed)
  x <- matrix(stats::rnorm(n * 3), n, 3)
  y <- rep(0, n)
  y[sample.int(n, events)] <- 1
  list(x = x, y = y)
}

test_that("the same foldid gives identical results, sequentially and with parallel futures", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  set.seed(5)
  foldid <- sample(rep_len(1:5, nrow(data$x)))
  first <- smem_cv(data$x, data$y, family = "binomial", foldid = foldid, keep = TRUE)
  second <- smem_cv(data$x, data$y, family = "binomial", foldid = foldid, keep = TRUE)
  expect_identical(cv_results(first), cv_results(second))

  skip_if_not_installed("future.apply")
  old <- future::plan(future::multisession, workers = 2)
  on.exit(future::plan(old), add = TRUE)
  parallel <- smem_cv(data$x, data$y,
    family = "binomial", foldid = foldid, keep = TRUE, parallel = TRUE
  )
  expect_identical(cv_results(parallel), cv_results(first))
  # with progress shown, folds go to the workers in batches: same answer
  batched <- smem_cv(data$x, data$y,
    family = "binomial", foldid = foldid, keep = TRUE, parallel = TRUE,
    trace = TRUE
  )
  expect_identical(cv_results(batched), cv_results(first))
})

test_that("cvm and cvsd equal a cross-validation written out by hand, with weights and offset", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  y <- binary_response(data$y)
  n <- nrow(data$x)
  set.seed(8)
  weights <- stats::runif(n, 0.5, 2)
  offset <- stats::rnorm(n, sd = 0.2)
  foldid <- sample(rep_len(1:4, n))
  cv <- smem_cv(data$x, y,
    family = "binomial", penalty = "enet", alpha = 0.5, weights = weights,
    offset = offset, foldid = foldid, keep = TRUE
  )

  fold_means <- matrix(0, 4, length(cv$lambda))
  fold_weights <- numeric(4)
  pooled <- matrix(0, n, length(cv$lambda))
  for (k in 1:4) {
    out <- foldid == k
    fit <- smem_path(data$x[!out, ], y[!out],
      family = "binomial", penalty = "enet", alpha = 0.5,
      weights = weights[!out], offset = offset[!out], lambda = cv$lambda,
      early.stop = FALSE
    )
    eta <- as.matrix(predict(fit, data$x[out, ], newoffset = offset[out]))
    prob <- 1 / (1 + exp(-eta))
    prob <- pmin(pmax(prob, 1e-5), 1 - 1e-5)
    deviance <- -2 * (y[out] * log(prob) + (1 - y[out]) * log(1 - prob))
    pooled[out, ] <- deviance
    fold_weights[k] <- sum(weights[out])
    fold_means[k, ] <- colSums(weights[out] * deviance) / fold_weights[k]
    expect_equal(unname(cv$fit.preval[out, ]), unname(eta), tolerance = 1e-12)
  }
  by_hand <- colSums(weights * pooled) / sum(weights)
  expect_equal(cv$cvm, by_hand, tolerance = 1e-10)
  spread <- sapply(seq_along(by_hand), function(l) {
    sum(fold_weights * (fold_means[, l] - by_hand[l])^2) / sum(fold_weights)
  })
  expect_equal(cv$cvsd, sqrt(spread / 3), tolerance = 1e-10)
  expect_equal(cv$cvup - cv$cvlo, 2 * cv$cvsd)
})

test_that("lambda.min and lambda.1se follow the minimum and one-standard-error rules", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  set.seed(2)
  cv <- smem_cv(data$x, data$y, family = "binomial", nfolds = 5)
  best <- which.min(cv$cvm)
  expect_equal(cv$lambda.min, cv$lambda[best])
  expect_equal(cv$lambda.1se, max(cv$lambda[cv$cvm <= cv$cvm[best] + cv$cvsd[best]]))
  expect_equal(cv$lambda[cv$index[, 1]], c(cv$lambda.min, cv$lambda.1se))
  expect_identical(rownames(cv$index), c("min", "1se"))
  expect_identical(cv$nzero, cv$smem.fit$df)

  auc <- smem_cv(data$x, data$y, family = "binomial", foldid = cv$foldid, type.measure = "auc")
  expect_equal(auc$lambda.min, auc$lambda[which.max(auc$cvm)])
  top <- which.max(auc$cvm)
  expect_equal(auc$lambda.1se, max(auc$lambda[auc$cvm >= auc$cvm[top] - auc$cvsd[top]]))
  expect_true(all(auc$cvm > 0.5 & auc$cvm <= 1))
})

test_that("binomial cvm and lambda.min match cv.glmnet on the same folds (Pima and biopsy)", {
  skip_if_not_installed("glmnet")
  skip_if_not_installed("MASS")
  for (name in c("pima", "biopsy")) {
    data <- real_data(name)
    set.seed(13)
    foldid <- sample(rep_len(1:10, nrow(data$x)))
    cv <- smem_cv(data$x, data$y, family = "binomial", foldid = foldid)
    reference <- cv_glmnet_reference(data$x, data$y,
      family = "binomial", foldid = foldid, lambda = cv$lambda,
      type.measure = "deviance"
    )
    expect_equal(cv$cvm, reference$cvm, tolerance = 1e-4)
    expect_equal(cv$cvsd, reference$cvsd, tolerance = 1e-3)
    expect_identical(cv$index[, 1], reference$index[, 1])
  }
})

test_that("gaussian lasso cvm and lambda.min match cv.glmnet on the same folds (Boston)", {
  skip_if_not_installed("glmnet")
  skip_if_not_installed("MASS")
  data <- real_data("boston")
  set.seed(21)
  foldid <- sample(rep_len(1:10, nrow(data$x)))
  cv <- smem_cv(data$x, data$y, foldid = foldid)
  reference <- cv_glmnet_reference(data$x, data$y,
    family = "gaussian", foldid = foldid, lambda = cv$lambda,
    type.measure = "deviance"
  )
  expect_equal(cv$cvm, reference$cvm, tolerance = 1e-4)
  expect_identical(cv$index[, 1], reference$index[, 1])
})

test_that("misclassification and AUC with weights and offset match cv.glmnet", {
  skip_if_not_installed("glmnet")
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  n <- nrow(data$x)
  set.seed(11)
  weights <- stats::runif(n, 0.2, 3)
  offset <- stats::rnorm(n, sd = 0.3)
  foldid <- sample(rep_len(1:5, n))
  for (measure in c("class", "auc")) {
    cv <- smem_cv(data$x, data$y,
      family = "binomial", foldid = foldid, weights = weights,
      offset = offset, type.measure = measure
    )
    reference <- cv_glmnet_reference(data$x, data$y,
      family = "binomial", foldid = foldid, lambda = cv$lambda,
      weights = weights, offset = offset, type.measure = measure
    )
    expect_equal(cv$cvm, reference$cvm, tolerance = 1e-8)
  }
})

test_that("a path cut short by early stopping gives the folds its shorter grid", {
  skip_if_not_installed("MASS")
  data <- real_data("boston")
  set.seed(4)
  cv <- smem_cv(data$x, data$y, nfolds = 5, keep = TRUE)
  expect_lt(length(cv$smem.fit$lambda), 100)
  expect_identical(cv$lambda, cv$smem.fit$lambda)
  expect_identical(dim(cv$fit.preval), c(nrow(data$x), length(cv$lambda)))
  expect_false(anyNA(cv$fit.preval))
})

test_that("5 events among 100 cannot fill 10 folds: a clear error", {
  data <- rare_events(100, 5, seed = 1)
  expect_error(
    smem_cv(data$x, data$y, family = "binomial", nfolds = 10),
    class = "smem_error_input"
  )
  expect_error(
    smem_cv(data$x, data$y, family = "binomial", nfolds = 10),
    "at most 5 folds"
  )
})

test_that("5 events among 100 in 5 folds put exactly one event in each fold", {
  data <- rare_events(100, 5, seed = 2)
  for (seed in 1:3) {
    set.seed(seed)
    cv <- smem_cv(data$x, data$y, family = "binomial", nfolds = 5, keep = TRUE)
    expect_identical(as.vector(table(cv$foldid[data$y == 1])), rep(1L, 5))
    expect_identical(as.vector(table(cv$foldid)), rep(20L, 5))
    expect_true(all(is.finite(cv$cvm)))
  }
})

test_that("stratified folds balance both classes to within one", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  set.seed(9)
  cv <- smem_cv(data$x, data$y, family = "binomial", nfolds = 7)
  counts <- table(cv$foldid, data$y)
  expect_lte(max(counts[, 1]) - min(counts[, 1]), 1)
  expect_lte(max(counts[, 2]) - min(counts[, 2]), 1)
  expect_lte(diff(range(rowSums(counts))), 1)
})

test_that("10 observations in 10 folds (leave-one-out) work", {
  set.seed(3)
  x <- matrix(stats::rnorm(30), 10, 3)
  y <- x[, 1] + stats::rnorm(10)
  cv <- smem_cv(x, y, nfolds = 10, keep = TRUE)
  expect_setequal(cv$foldid, 1:10)
  expect_true(all(is.finite(cv$cvm)) && all(is.finite(cv$cvsd)))
  # each fold is one observation: cvsd is the standard error of the mean of
  # the squared errors
  errors <- (y - cv$fit.preval)^2
  expect_equal(cv$cvsd, unname(apply(errors, 2, stats::sd)) / sqrt(10), tolerance = 1e-10)
})

test_that("binomial leave-one-out works when each class has two observations or more", {
  data <- rare_events(30, 3, seed = 5)
  cv <- smem_cv(data$x, data$y, family = "binomial", nfolds = 30)
  expect_true(all(is.finite(cv$cvm)))
  expect_setequal(cv$foldid, 1:30)
})

test_that("a fold whose removal leaves one class is rejected, naming the fold", {
  data <- rare_events(30, 1, seed = 6)
  expect_error(
    smem_cv(data$x, data$y, family = "binomial", nfolds = 30),
    "only one class",
    class = "smem_error_input"
  )
  foldid <- rep_len(1:3, 30)
  two <- rare_events(30, 2, seed = 7)
  foldid[two$y == 1] <- 2
  expect_error(
    smem_cv(two$x, two$y, family = "binomial", foldid = foldid),
    "Fold 2"
  )
})

test_that("AUC needs both classes in every fold and warns when folds hold few of a class", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  set.seed(1)
  expect_warning(
    smem_cv(data$x, data$y, family = "binomial", nfolds = 20, type.measure = "auc"),
    class = "smem_warning_folds"
  )
  small <- rare_events(40, 4, seed = 3)
  foldid <- rep_len(1:4, 40)
  foldid[small$y == 1] <- c(1, 1, 2, 3)
  expect_error(
    smem_cv(small$x, small$y, family = "binomial", foldid = foldid, type.measure = "auc"),
    "both classes in every fold"
  )
})

test_that("coef and predict use lambda.1se by default and lambda.min on request", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  set.seed(6)
  cv <- smem_cv(data$x, data$y, family = "binomial", nfolds = 5)
  path <- cv$smem.fit
  one_se <- cv$index["1se", 1]
  minimum <- cv$index["min", 1]
  expect_equal(unname(as.matrix(coef(cv))), unname(as.matrix(coef(path)[, one_se, drop = FALSE])))
  expect_equal(
    unname(as.matrix(coef(cv, s = "lambda.min"))),
    unname(as.matrix(coef(path)[, minimum, drop = FALSE]))
  )
  expect_identical(colnames(coef(cv, s = "lambda.min")), "lambda.min")
  expect_equal(
    unname(predict(cv, data$x, s = "lambda.min", type = "response")),
    unname(predict(path, data$x, type = "response")[, minimum, drop = FALSE])
  )
  expect_equal(coef(cv, s = 0.05), coef(path, s = 0.05))
  expect_error(coef(cv, s = "lambda.max"), "lambda.1se")
})

test_that("print shows the measure and both choices of lambda", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  set.seed(6)
  cv <- smem_cv(data$x, data$y, family = "binomial", nfolds = 5)
  shown <- capture.output(print(cv))
  expect_true(any(grepl("Binomial deviance, 5 folds", shown)))
  expect_true(any(grepl("^min", shown)) && any(grepl("^1se", shown)))
})

test_that("plots run on fits, paths and cross-validations", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  fit <- smem(data$x, data$y, family = "binomial", lambda = 0.02)
  expect_invisible(plot(fit))
  expect_invisible(plot(fit, gap = TRUE))
  path <- smem_path(data$x, data$y, family = "binomial")
  for (xvar in c("lambda", "norm", "dev")) {
    expect_invisible(plot(path, xvar = xvar, label = TRUE))
  }
  set.seed(1)
  cv <- smem_cv(data$x, data$y, family = "binomial", nfolds = 5)
  expect_invisible(plot(cv))
  # the horizontal axis spans log(lambda), or -log(lambda) with sign.lambda = -1
  # (par("usr") adds 4% on either side)
  inside <- function(range, values) range[1] < min(values) && range[2] > max(values)
  expect_true(inside(graphics::par("usr")[1:2], log(range(cv$lambda))))
  expect_no_warning(expect_invisible(plot(cv, sign.lambda = -1)))
  expect_true(inside(graphics::par("usr")[1:2], -log(range(cv$lambda))))
  expect_error(plot(cv, sign.lambda = 2), "`sign.lambda` must be 1 or -1", class = "smem_error_input")
  expect_error(plot(cv, sign.lambda = "a"), "`sign.lambda` must be 1 or -1", class = "smem_error_input")
  expect_invisible(plot(cv, main = "Pima", ylim = c(0, 2)))
})

test_that("bad numbers of folds, foldid and measures are rejected clearly", {
  set.seed(1)
  x <- matrix(stats::rnorm(60), 20, 3)
  y <- stats::rnorm(20)
  expect_error(smem_cv(x, y, nfolds = 2), "from 3 to the number of observations", class = "smem_error_input")
  expect_error(smem_cv(x, y, nfolds = 21), "It is 21", class = "smem_error_input")
  expect_error(smem_cv(x, y, nfolds = 4.5), "whole number", class = "smem_error_input")
  expect_error(smem_cv(x, y, foldid = rep(1:4, 4)), "length 16", class = "smem_error_input")
  expect_error(smem_cv(x, y, foldid = rep(1:2, 10)), "at least 3 folds", class = "smem_error_input")
  expect_error(smem_cv(x, y, foldid = rep_len(c(1, 2, 3.5), 20)), "whole numbers", class = "smem_error_input")
  expect_error(smem_cv(x, y, nfolds = 5, foldid = rep_len(1:4, 20)), "disagree", class = "smem_error_input")
  expect_error(smem_cv(x, y, type.measure = "auc"), "needs a two-class response", class = "smem_error_input")
  expect_error(smem_cv(x, y, type.measure = "class"), "binomial", class = "smem_error_input")
  expect_error(smem_cv(x, y, type.measure = "brier"), "type.measure")
  expect_error(smem_cv(x, y, nfold = 5), "Unknown", class = "smem_error_input")
  expect_error(smem_cv(x, y, "binomial"), "must be named", class = "smem_error_input")
  # the full fit's own checks name smem_cv(), the function the user called
  error <- expect_error(smem_cv(x, y, alpha = 2), "alpha", class = "smem_error_input")
  expect_identical(error$call[[1]], quote(smem_cv))
})
