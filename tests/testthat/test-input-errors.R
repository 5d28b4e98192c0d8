# Bad input gets an R error that names the argument, says what was wrong and
# what to do.

good_x <- function() {
  set.seed(1)
  matrix(stats::rnorm(60), 20, 3, dimnames = list(NULL, c("a", "b", "c")))
}
good_y <- function() rep(c(0, 1), 10)

test_that("non-finite values in x, y, weights or offset are rejected by name", {
  x <- good_x()
  y <- good_y()
  bad <- x
  bad[3, 2] <- NA
  expect_snapshot(smem(bad, y, family = "binomial", lambda = 0.1), error = TRUE)
  bad[3, 2] <- Inf
  expect_error(smem(bad, y, family = "binomial", lambda = 0.1), class = "smem_error_nonfinite")
  bad[3, 2] <- NaN
  expect_error(smem(bad, y, family = "binomial", lambda = 0.1), "NaN")
  expect_snapshot(smem(x, replace(y, 4, NA), family = "binomial", lambda = 0.1), error = TRUE)
  expect_error(smem(x, replace(as.double(1:20), 2, Inf), lambda = 0.1), "`y`")
  expect_error(
    smem(x, y, family = "binomial", lambda = 0.1, weights = replace(rep(1, 20), 5, NaN)),
    "`weights`"
  )
  expect_snapshot(
    smem(x, y, family = "binomial", lambda = 0.1, offset = replace(rep(0, 20), 7, -Inf)),
    error = TRUE
  )
})

test_that("a non-numeric x is rejected", {
  expect_snapshot(smem(letters[1:20], good_y(), family = "binomial", lambda = 0.1), error = TRUE)
  frame <- data.frame(a = 1:20, b = rep(c("u", "v"), 10))
  expect_error(smem(frame, good_y(), family = "binomial", lambda = 0.1), "not numeric")
})

test_that("mismatched lengths are rejected with both sizes", {
  x <- good_x()
  expect_snapshot(smem(x, good_y()[-1], family = "binomial", lambda = 0.1), error = TRUE)
  expect_error(smem(x, good_y(), family = "binomial", lambda = 0.1, weights = rep(1, 19)), "length 19")
  expect_error(smem(x, good_y(), family = "binomial", lambda = 0.1, offset = rep(0, 21)), "length 21")
})

test_that("a binomial y with one class or more than two is rejected", {
  x <- good_x()
  expect_snapshot(smem(x, rep(1, 20), family = "binomial", lambda = 0.1), error = TRUE)
  expect_snapshot(smem(x, rep(1:4, 5), family = "binomial", lambda = 0.1), error = TRUE)
  expect_error(
    smem(x, factor(rep(c("a", "b", "c", "d"), 5)), family = "binomial", lambda = 0.1),
    "exactly two classes"
  )
  expect_error(smem(x, factor(rep("a", 20), levels = c("a", "b")), family = "binomial", lambda = 0.1), "exactly two classes")
})

test_that("negative weights, negative lambda and alpha out of range are rejected", {
  x <- good_x()
  y <- good_y()
  expect_snapshot(
    smem(x, y, family = "binomial", lambda = 0.1, weights = c(-1, rep(1, 19))),
    error = TRUE
  )
  expect_snapshot(smem(x, y, family = "binomial", lambda = -0.1), error = TRUE)
  expect_snapshot(smem(x, y, family = "binomial", penalty = "enet", alpha = 1.5, lambda = 0.1), error = TRUE)
  expect_error(smem(x, y, family = "binomial", penalty = "enet", alpha = -0.1, lambda = 0.1), "`alpha`")
  expect_error(smem(x, y, family = "binomial", penalty = "ridge", alpha = 0.5, lambda = 0.1), "`alpha`")
  expect_error(smem(x, y, family = "binomial", lambda = c(0.1, 0.2)), "smem_path")
  expect_error(smem(x, y, family = "binomial"), "`lambda` is missing")
  expect_error(smem(x, y, family = "poisson", lambda = 0.1), "`family`")
  expect_error(smem(x, y, family = "binomial", penalty = "elastic", lambda = 0.1), "`penalty`")
})

test_that("a penalty.factor of the wrong length is rejected", {
  expect_snapshot(
    smem(good_x(), good_y(), family = "binomial", lambda = 0.1, penalty.factor = c(1, 1)),
    error = TRUE
  )
  expect_error(
    smem(good_x(), good_y(), family = "binomial", lambda = 0.1, penalty.factor = c(0, 0, 0)),
    "at least one column"
  )
})

test_that("predict() rejects a newx of the wrong width and takes one row as a vector", {
  fit <- smem(good_x(), good_y(), family = "binomial", lambda = 0.01)
  expect_snapshot(predict(fit, good_x()[, 1:2]), error = TRUE)
  expect_error(predict(fit), "`newx` is needed")
  row <- good_x()[4, ]
  expect_equal(
    predict(fit, row, type = "response"),
    predict(fit, good_x()[4, , drop = FALSE], type = "response")
  )
  expect_error(predict(fit, c(1, 2)), "3 columns")
})

test_that("internal failures of the core surface as classed R errors", {
  x <- cbind(1, good_x())
  out <- smem:::smem_path_cpp(
    x, good_y(), rep(1, 20), rep(0, 20), 0.1, c(0, 1, 1, 1), rep(0, 4),
    "poisson", "enet", 1,
    list(
      tol = 1e-7, maxit = 10L, accelerate = TRUE, polish = TRUE, drop_tol = 1e-8,
      screen = TRUE, path_stop = FALSE, null_loss = 0, saturated_loss = 0
    ),
    NULL
  )
  expect_match(out$error, "unknown family")
})

test_that("a hinge y that is not two classes coded -1/1 is rejected", {
  x <- good_x()
  expect_snapshot(smem(x, rep(0:2, length.out = 20), family = "hinge", lambda = 0.1), error = TRUE)
  expect_error(
    smem(x, factor(rep(c("a", "b", "c"), length.out = 20)), family = "hinge", lambda = 0.1),
    "`y` must have exactly two classes for family \"hinge\"",
    class = "smem_error_input"
  )
  expect_error(
    smem(x, good_y(), family = "hinge", lambda = 0.1),
    "coded -1/1 for family \"hinge\".*It contains 0",
    class = "smem_error_input"
  )
})

test_that("a quantile level outside (0, 1) is rejected by name", {
  x <- good_x()
  y <- stats::rnorm(20)
  expect_snapshot(smem(x, y, family = "quantile", tau = 0, lambda = 0.1), error = TRUE)
  for (tau in list(1, -0.5, NA, "a", c(0.2, 0.7))) {
    expect_error(
      smem(x, y, family = "quantile", tau = tau, lambda = 0.1),
      "`tau` must be a single number in \\(0, 1\\)",
      class = "smem_error_input"
    )
  }
})

test_that("a negative binomial fit needs a positive size and non-negative counts", {
  x <- good_x()
  counts <- rep(c(0, 3, 1, 7), 5)
  expect_snapshot(smem(x, counts, family = "negbin", lambda = 0.1), error = TRUE)
  expect_snapshot(smem(x, counts, family = "negbin", size = 0, lambda = 0.1), error = TRUE)
  expect_error(
    smem(x, counts, family = "negbin", size = -2, lambda = 0.1),
    "`size` must be a single number.*It is -2",
    class = "smem_error_input"
  )
  expect_snapshot(
    smem(x, replace(counts, 5, -1), family = "negbin", size = 2, lambda = 0.1),
    error = TRUE
  )
  expect_error(
    smem(x, replace(counts, 6, NA), family = "negbin", size = 2, lambda = 0.1),
    "`y` must contain only finite values",
    class = "smem_error_nonfinite"
  )
})

test_that("a binomial count matrix must be non-negative with one row per observation", {
  x <- good_x()
  counts <- cbind(rep(c(0, 2, 5, 1), 5), rep(c(4, 1, 0, 3), 5))
  expect_snapshot(smem(x, replace(counts, 7, -3), family = "binomial", lambda = 0.1), error = TRUE)
  expect_snapshot(smem(x, counts[-1, ], family = "binomial", lambda = 0.1), error = TRUE)
})

test_that("penalty shapes out of range are rejected by name", {
  x <- good_x()
  y <- good_y()
  expect_snapshot(
    smem(x, y, family = "binomial", penalty = "bridge", q = 1.5, lambda = 0.1),
    error = TRUE
  )
  for (q in c(0, 1)) {
    expect_error(
      smem(x, y, family = "binomial", penalty = "bridge", q = q, lambda = 0.1),
      "`q` must be a single number in \\(0, 1\\)",
      class = "smem_error_input"
    )
  }
  expect_snapshot(
    smem(x, y, family = "binomial", penalty = "mcp", gamma = 1, lambda = 0.1),
    error = TRUE
  )
  expect_error(
    smem(x, y, family = "binomial", penalty = "scad", gamma = 2, lambda = 0.1),
    "`gamma` must be a single number in \\(2,.*It is 2",
    class = "smem_error_input"
  )
  expect_error(
    smem(x, y, family = "binomial", penalty = "log", gamma = 0, lambda = 0.1),
    "`gamma` must be a single number in \\(0,.*It is 0",
    class = "smem_error_input"
  )
})

test_that("a shape argument given to a family or penalty that does not use it is an error", {
  x <- good_x()
  y <- good_y()
  expect_snapshot(
    smem(x, y, family = "binomial", penalty = "lasso", gamma = 3, lambda = 0.1),
    error = TRUE
  )
  expect_error(
    smem(x, y, family = "binomial", penalty = "mcp", q = 0.5, lambda = 0.1),
    "`q` is not used with `penalty = \"mcp\"`",
    class = "smem_error_input"
  )
  expect_error(
    smem(x, stats::rnorm(20), family = "gaussian", tau = 0.5, lambda = 0.1),
    "`tau` is not used with `family = \"gaussian\"`",
    class = "smem_error_input"
  )
  expect_error(
    smem(x, y, family = "binomial", size = 2, lambda = 0.1),
    "`size` is not used with `family = \"binomial\"`",
    class = "smem_error_input"
  )
})

test_that("a non-convex penalty needs a positive alpha", {
  expect_snapshot(
    smem(good_x(), good_y(), family = "binomial", penalty = "mcp", alpha = 0, lambda = 0.1),
    error = TRUE
  )
})

test_that("the range quoted for size and gamma agrees with what is accepted", {
  # Infinity is rejected; the message must not quote a range that holds it.
  x <- good_x()
  attempts <- list(
    size = quote(smem(x, rep(c(0, 3), 10), family = "negbin", size = Inf, lambda = 0.1)),
    gamma = quote(
      smem(x, good_y(), family = "binomial", penalty = "mcp", gamma = Inf, lambda = 0.1)
    )
  )
  for (arg in names(attempts)) {
    outcome <- tryCatch({
      eval(attempts[[arg]])
      "accepted"
    }, error = conditionMessage)
    expect_true(outcome == "accepted" || !grepl("Inf]", outcome, fixed = TRUE),
      label = paste(arg, "= Inf:", outcome)
    )
  }
})

test_that("a choice argument outside its choices is an input error that lists them", {
  expect_error(smem_control(curvature = "newton"), "`curvature` must be one of \"auto\", \"pg\", or \"bohning\"", class = "smem_error_input")
  expect_error(smem_control(curvature = c("pg", "bohning")), "`curvature` must be one of", class = "smem_error_input")
  expect_identical(smem_control()$curvature, "auto")
  expect_identical(smem_control(curvature = "pg")$curvature, "pg")
  x <- good_x()
  y <- good_y()
  fit <- smem(x, y, family = "binomial", lambda = 0.1)
  expect_error(predict(fit, x, type = "prob"), "`type` must be one of", class = "smem_error_input")
  path <- smem_path(x, y, family = "binomial", nlambda = 5)
  expect_error(predict(path, x, type = NA_character_), "`type` must be one of", class = "smem_error_input")
  expect_error(plot(path, xvar = "l1"), "`xvar` must be one of", class = "smem_error_input")
})
