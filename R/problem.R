# The fitting problem shared by smem() and smem_path(): checked data,
# standardized design with the intercept as its first column, rescaled
# weights and penalty factors, and the calls into the C++ core.

penalties <- c("lasso", "ridge", "enet")

check_penalty <- function(penalty, alpha, call) {
  if (!is.character(penalty) || length(penalty) != 1 || is.na(penalty) ||
    !penalty %in% penalties) {
    shown <- if (is.character(penalty) && length(penalty) == 1) penalty else
      cli::format_inline("{.obj_type_friendly {penalty}}")
    abort_input(
      c(
        "{.arg penalty} must be one of {.or {.val {penalties}}}.",
        x = "It is {.val {shown}}."
      ),
      call = call
    )
  }
  if (penalty == "ridge") {
    if (!is.null(alpha) && !identical(as.double(alpha), 0)) {
      abort_input(
        c(
          "{.arg alpha} must be 0 (or left out) with {.code penalty = \"ridge\"}.",
          x = "It is {format(alpha)}.",
          i = "Use {.code penalty = \"enet\"} to mix the lasso and ridge penalties."
        ),
        call = call
      )
    }
    return(list(penalty = penalty, alpha = 0))
  }
  if (is.null(alpha)) {
    alpha <- if (penalty == "enet") 0.5 else 1
  }
  alpha <- check_number(alpha, "alpha", call, lower = 0, upper = 1)
  list(penalty = penalty, alpha = alpha)
}

# Builds the problem from user input. `call` is the exported function's frame.
new_problem <- function(x, y, family, penalty, alpha, weights, offset,
                        intercept, standardize, penalty.factor, call) {
  # coerce and check
  x <- check_x(x, "x", call)
  n <- nrow(x)
  p <- ncol(x)
  family <- check_family(family, call)
  response <- prepare_response(y, family, n, call)
  shape <- check_penalty(penalty, alpha, call)
  weights <- check_weights(weights, n, "weights", call)
  offset <- check_offset(offset, n, "offset", call)
  intercept <- check_flag(intercept, "intercept", call)
  standardize <- check_flag(standardize, "standardize", call)
  penalty.factor <- check_penalty_factor(penalty.factor, p, "penalty.factor", call)
  if (sum(weights > 0) < 2) {
    abort_input(
      c(
        "{.arg weights} must give at least two observations a positive weight.",
        x = "Only {sum(weights > 0)} {?is/are} positive."
      ),
      call = call
    )
  }
  if (family == "binomial") {
    used <- response$y[weights > 0]
    if (length(unique(used)) < 2) {
      abort_input(
        c(
          "{.arg y} must have both classes among the observations with positive weight.",
          x = "Only class {.val {response$classes[used[1] + 1]}} has positive weight."
        ),
        call = call
      )
    }
  }

  # standardize: weighted moments with the weights rescaled to sum to n
  w <- weights * n / sum(weights)
  center <- if (intercept) colSums(w * x) / n else rep(0, p)
  spread <- sqrt(colSums(w * sweep(x, 2, center)^2) / n)
  constant <- spread <= sqrt(.Machine$double.eps) * pmax(1, abs(center))
  scale <- if (standardize) spread else rep(1, p)
  scale[constant] <- 1
  keep <- which(!constant)
  xs <- sweep(sweep(x[, keep, drop = FALSE], 2, center[keep]), 2, scale[keep], "/")
  if (intercept) {
    xs <- cbind(1, xs)
  }

  # penalty factors summing to the number of columns, as in glmnet
  factors <- penalty.factor * p / sum(penalty.factor)
  factors_used <- c(if (intercept) 0, factors[keep])

  variables <- colnames(x)
  if (is.null(variables)) {
    variables <- paste0("V", seq_len(p))
  }

  list(
    x = xs, y = response$y, classes = response$classes, weights = weights,
    w = w, offset = offset, offset_used = if (is.null(offset)) rep(0, n) else offset,
    family = family, penalty = shape$penalty, alpha = shape$alpha,
    intercept = intercept, standardize = standardize, center = center,
    scale = scale, keep = keep, factors = factors, factors_used = factors_used,
    n = n, p = p, variables = variables
  )
}

# Name of the C++ family for the problem and control.
core_family <- function(problem, control) {
  if (problem$family == "binomial" && control$curvature == "bohning") {
    return("binomial_bohning")
  }
  problem$family
}

core_control <- function(control, accelerate, stop = NULL) {
  list(
    tol = control$tol, maxit = control$maxit, accelerate = accelerate,
    polish = control$polish, drop_tol = control$drop_tol,
    screen = control$screen, path_stop = !is.null(stop),
    null_loss = if (is.null(stop)) 0 else stop$null_loss,
    saturated_loss = if (is.null(stop)) 0 else stop$saturated_loss
  )
}

# Fits `lambda` (in the order given) with warm starts; `start` is on the
# standardized scale, with the intercept first. Returns the core's list.
run_core <- function(problem, lambda, start, control, accelerate,
                     progress = NULL, stop = NULL) {
  out <- smem_path_cpp(
    problem$x, problem$y, problem$w, problem$offset_used, lambda,
    problem$factors_used, start, core_family(problem, control), "enet",
    problem$alpha, core_control(control, accelerate, stop), progress
  )
  if (!is.null(out$error)) {
    cli::cli_abort(
      c("The SM-EM core failed.", x = out$error),
      class = c("smem_error_core", "smem_error")
    )
  }
  out
}

# Coefficients on the standardized scale (intercept first when fitted) back
# to the original scale: list(a0, beta) with beta a p x L matrix.
unstandardize <- function(problem, coefs) {
  coefs <- as.matrix(coefs)
  slopes <- if (problem$intercept) coefs[-1, , drop = FALSE] else coefs
  beta <- matrix(0, problem$p, ncol(coefs))
  beta[problem$keep, ] <- slopes / problem$scale[problem$keep]
  a0 <- if (problem$intercept) {
    coefs[1, ] - colSums(beta * problem$center)
  } else {
    rep(0, ncol(coefs))
  }
  rownames(beta) <- problem$variables
  list(a0 = a0, beta = beta)
}

# Original-scale coefficients to the standardized scale of the core.
standardize_coefficients <- function(problem, a0, beta) {
  slopes <- beta[problem$keep] * problem$scale[problem$keep]
  if (problem$intercept) {
    c(a0 + sum(beta * problem$center), slopes)
  } else {
    slopes
  }
}

# Linear predictor of the unpenalized fit on the columns `columns` of the
# core's design (none: the offset alone).
unpenalized_eta <- function(problem, columns, control) {
  if (length(columns) == 0) {
    return(problem$offset_used)
  }
  design <- problem$x[, columns, drop = FALSE]
  fit <- run_core(
    list(
      x = design, y = problem$y, w = problem$w, offset_used = problem$offset_used,
      factors_used = rep(0, length(columns)), family = problem$family, alpha = 1
    ),
    0, rep(0, length(columns)), control, TRUE
  )
  drop(design %*% fit$beta[, 1]) + problem$offset_used
}

# Deviance of the model with only the intercept (and offset).
null_deviance <- function(problem, control) {
  eta <- unpenalized_eta(problem, if (problem$intercept) 1L, control)
  family_deviance(problem$family, problem$y, eta, problem$weights)
}

# Linear predictor of standardized coefficients (columns of `coefs`).
linear_predictor <- function(problem, coefs) {
  problem$x %*% coefs + problem$offset_used
}
