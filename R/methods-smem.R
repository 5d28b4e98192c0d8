# Methods for single fits (class "smem").

#' @export
print.smem <- function(x, digits = max(3, getOption("digits") - 3), ...) {
  cat("\nCall: ", deparse(x$call), "\n\n", sep = "")
  cat(sprintf(
    "%s regression, %s penalty (alpha = %s), lambda = %s\n",
    x$family, x$penalty, format(x$alpha, digits = digits),
    format(x$lambda, digits = digits)
  ))
  cat(sprintf(
    "%d of %d coefficients nonzero; deviance explained %.2f%%\n",
    x$df, length(x$beta), 100 * x$dev.ratio
  ))
  cat(sprintf(
    "Objective %s after %d iteration%s (%s)\n\n",
    format(utils::tail(x$objective, 1), digits = digits + 4), x$iter,
    if (x$iter == 1) "" else "s",
    if (x$converged) "converged" else "NOT converged"
  ))
  invisible(x)
}

#' Summarize an SM-EM fit
#'
#' @param object A fit from [smem()].
#' @param ... Not used.
#' @return An object of class `"summary.smem"`: the nonzero coefficients and
#'   the fit's diagnostics; it has a print method.
#' @export
summary.smem <- function(object, ...) {
  coefs <- coef(object)
  nonzero <- coefs[coefs[, 1] != 0, , drop = FALSE]
  structure(
    list(
      call = object$call, family = object$family, penalty = object$penalty,
      alpha = object$alpha, lambda = object$lambda, coefficients = nonzero,
      objective = utils::tail(object$objective, 1), iter = object$iter,
      converged = object$converged, violation = object$violation,
      separation = object$separation, dev.ratio = object$dev.ratio,
      nulldev = object$nulldev, deviance = object$deviance, nobs = object$nobs,
      p = length(object$beta)
    ),
    class = "summary.smem"
  )
}

#' @export
print.summary.smem <- function(x, digits = max(3, getOption("digits") - 3), ...) {
  cat("\nCall: ", deparse(x$call), "\n\n", sep = "")
  cat(sprintf(
    "Family %s, penalty %s (alpha = %s), lambda = %s, %d observations\n\n",
    x$family, x$penalty, format(x$alpha, digits = digits),
    format(x$lambda, digits = digits), x$nobs
  ))
  cat(sprintf("Nonzero coefficients (%d of %d):\n", nrow(x$coefficients) - 1, x$p))
  print(x$coefficients, digits = digits)
  cat(sprintf(
    "\nNull deviance %s, residual deviance %s (%.2f%% explained)\n",
    format(x$nulldev, digits = digits + 2), format(x$deviance, digits = digits + 2),
    100 * x$dev.ratio
  ))
  cat(sprintf(
    "Objective %s; %d iterations; %s; largest optimality violation %s\n",
    format(x$objective, digits = digits + 4), x$iter,
    if (x$converged) "converged" else "NOT converged",
    format(x$violation, digits = 3)
  ))
  if (isTRUE(x$separation)) {
    cat("The classes look separable: the coefficients diverge at this penalty.\n")
  }
  invisible(x)
}

#' Coefficients of an SM-EM fit
#'
#' @param object A fit from [smem()].
#' @param ... Not used.
#' @return A one-column matrix with the intercept first and one row per
#'   column of `x`, on the original scale.
#' @export
coef.smem <- function(object, ...) {
  reject_s(list(...), rlang::current_env())
  values <- c(object$a0, object$beta)
  matrix(values, ncol = 1, dimnames = list(names(values), "s0"))
}

#' Predict from an SM-EM fit
#'
#' @param object A fit from [smem()].
#' @param newx Matrix of new observations with the columns of `x`; a plain
#'   vector is taken as one observation. Not needed for `type =
#'   "coefficients"` or `"nonzero"`.
#' @param type `"link"` (linear predictor, the decision value for
#'   `"hinge"`), `"response"` (the fitted mean: probability of the second
#'   class for `"binomial"`, `exp(link)` for `"negbin"`; the conditional
#'   quantile for `"quantile"`; an error for `"hinge"`, which has no
#'   probability model), `"class"` (`"binomial"` and `"hinge"`: the class
#'   label on the side of zero of the link), `"coefficients"` or `"nonzero"`
#'   (names of the nonzero coefficients).
#' @param newoffset Offset for `newx`; required when the fit used one.
#' @param ... Not used.
#' @return A one-column matrix for `"link"`, `"response"`, `"class"` and
#'   `"coefficients"`; a character vector for `"nonzero"`.
#' @export
predict.smem <- function(object, newx,
                         type = c("link", "response", "class", "coefficients", "nonzero"),
                         newoffset = NULL, ...) {
  call <- rlang::current_env()
  reject_s(list(...), call)
  type <- check_choice(type, "type", call)
  if (type == "coefficients") {
    return(coef(object))
  }
  if (type == "nonzero") {
    return(names(object$beta)[object$beta != 0])
  }
  link <- predict_link(object$a0, as.matrix(object$beta), object, newx, newoffset, call)
  colnames(link) <- "s0"
  finish_prediction(object, link, type, call)
}

# A single fit has one lambda: an `s` argument would otherwise be swallowed
# by `...` and silently ignored.
reject_s <- function(dots, call) {
  if ("s" %in% names(dots)) {
    abort_input(
      c(
        "A single {.cls smem} fit has one penalty level; {.arg s} is not used.",
        i = "Refit with {.fn smem} at the new {.arg lambda} (warm-started with {.arg init}), or use {.fn smem_path}."
      ),
      call = call
    )
  }
}

# Linear predictor of newx for coefficient columns `beta` (p x L) and `a0`.
predict_link <- function(a0, beta, object, newx, newoffset, call) {
  p <- nrow(beta)
  if (missing(newx) || is.null(newx)) {
    abort_input(
      c(
        "{.arg newx} is needed for this type of prediction.",
        i = "Give the new observations as a matrix with {p} column{?s}."
      ),
      call = call
    )
  }
  if (is.null(dim(newx)) && is.numeric(newx)) {
    newx <- matrix(newx, nrow = 1, dimnames = list(NULL, names(newx)))
  }
  newx <- check_x_new(newx, rownames(beta), call)
  link <- newx %*% beta
  link <- sweep(link, 2, a0, "+")
  if (!isTRUE(object$has_offset) && !is.null(newoffset)) {
    abort_input(
      c(
        "{.arg newoffset} was given, but the model was fitted without an offset.",
        i = "Leave {.arg newoffset} out, or refit with {.arg offset}."
      ),
      call = call
    )
  }
  if (isTRUE(object$has_offset)) {
    if (is.null(newoffset)) {
      abort_input(
        c(
          "{.arg newoffset} is needed: the model was fitted with an offset.",
          i = "Give one offset value per row of {.arg newx}."
        ),
        call = call
      )
    }
    newoffset <- check_offset(newoffset, nrow(newx), "newoffset", call, rows_of = "newx")
    link <- link + newoffset
  }
  link
}

# newx as a double matrix with the fit's columns; named columns that are all
# the fit's variables in another order are put in the fit's order.
check_x_new <- function(newx, variables, call) {
  p <- length(variables)
  if (inherits(newx, "Matrix") || is.data.frame(newx)) {
    newx <- as.matrix(newx)
  }
  if (!is.matrix(newx) || !(is.numeric(newx) || is.logical(newx))) {
    abort_input(
      c(
        "{.arg newx} must be a numeric matrix.",
        x = "It is {.obj_type_friendly {newx}}."
      ),
      call = call
    )
  }
  if (ncol(newx) != p) {
    abort_input(
      c(
        "{.arg newx} must have the {p} column{?s} of the {.arg x} used to fit.",
        x = "It has {ncol(newx)} column{?s}."
      ),
      call = call
    )
  }
  given <- colnames(newx)
  # columns are matched by name only when every one has a name
  named <- !is.null(given) && !anyNA(given) && all(nzchar(given))
  if (named && !identical(given, variables) && setequal(given, variables) &&
    !anyDuplicated(given)) {
    newx <- newx[, variables, drop = FALSE]
  } else if (named && !identical(given, variables) && !all(grepl("^V[0-9]+$", variables))) {
    abort_input(
      c(
        "{.arg newx} must have the columns of the {.arg x} used to fit.",
        x = "Its column names differ: {.val {utils::head(setdiff(given, variables), 3)}} {?is/are} not among the fit's variables.",
        i = "Give the same variables, in any order, or a matrix without column names."
      ),
      call = call
    )
  }
  storage.mode(newx) <- "double"
  check_finite(newx, "newx", call, hint = "Predictions need finite predictors.")
  newx
}

finish_prediction <- function(object, link, type, call) {
  if (type == "link") {
    return(link)
  }
  family <- object$family_spec
  if (type == "response") {
    if (family$name == "hinge") {
      abort_input(
        c(
          "{.code type = \"response\"} is not available for the hinge loss.",
          x = "A support vector machine has no probability model.",
          i = "Use {.code type = \"link\"} for decision values or {.code type = \"class\"} for labels."
        ),
        call = call
      )
    }
    link[] <- family_mean(family, link)
    return(link)
  }
  if (!family$name %in% c("binomial", "hinge")) {
    abort_input(
      c(
        "{.code type = \"class\"} is only available for the binomial and hinge families.",
        x = "This fit's family is {.val {family$name}}."
      ),
      call = call
    )
  }
  classes <- matrix(
    object$classes[(link > 0) + 1L],
    nrow = nrow(link), dimnames = dimnames(link)
  )
  classes
}

#' Plot the objective trace of an SM-EM fit
#'
#' Draws the objective at every iteration, which shows the monotone descent.
#'
#' @param x A fit from [smem()].
#' @param gap If `TRUE`, plot the objective minus its final value on a log
#'   scale instead (iterations where the gap is zero are left out).
#' @param ... Passed to [graphics::plot()].
#' @return `x`, invisibly.
#' @export
plot.smem <- function(x, gap = FALSE, ...) {
  iterations <- seq_along(x$objective) - 1
  if (gap) {
    values <- x$objective - utils::tail(x$objective, 1)
    show <- values > 0
    if (!any(show)) {
      abort_input(
        c(
          "{.code gap = TRUE} needs an iteration above the final objective.",
          x = "The fit started at its final objective ({length(x$objective) - 1} iteration{?s}): there is no gap to draw on a log scale.",
          i = "Use {.code plot(fit)} for the objective itself."
        ),
        call = rlang::current_env()
      )
    }
    graphics::plot(
      iterations[show], values[show], type = "b", pch = 20, log = "y",
      xlab = "Iteration", ylab = "Objective minus final value", ...
    )
  } else {
    graphics::plot(
      iterations, x$objective, type = "b", pch = 20,
      xlab = "Iteration", ylab = "Objective", ...
    )
  }
  graphics::title(
    main = sprintf("SM-EM, %s %s, lambda = %s", x$family, x$penalty, signif(x$lambda, 3)),
    cex.main = 0.9, font.main = 1
  )
  invisible(x)
}

#' @export
deviance.smem <- function(object, ...) {
  object$deviance
}

#' Log-likelihood of an SM-EM fit
#'
#' The log-likelihood at the penalized estimate, with `df` the number of
#' nonzero coefficients plus the intercept (and the variance for the
#' gaussian family, estimated by maximum likelihood as in [stats::logLik()]
#' for linear models; the negative binomial `size` is fixed and adds none).
#' Available for the gaussian family, binomial 0/1 responses and the
#' negative binomial family; an error otherwise (the hinge and check losses
#' are not likelihoods, and the binomial-count version is not implemented).
#'
#' @param object A fit from [smem()].
#' @param ... Not used.
#' @return An object of class `"logLik"`.
#' @export
logLik.smem <- function(object, ...) {
  n <- object$nobs
  w <- object$weights
  df <- object$df + object$intercept
  if (object$family == "gaussian") {
    positive <- w > 0
    value <- 0.5 * (sum(log(w[positive])) -
      n * (log(2 * pi) + 1 - log(n) + log(object$deviance)))
    df <- df + 1
  } else if (isTRUE(object$binary)) {
    value <- -object$deviance / 2
  } else if (object$family == "negbin") {
    # size is fixed, not estimated: it adds no degree of freedom
    value <- object$saturated_loglik - object$deviance / 2
  } else {
    abort_input(
      c(
        "{.fn logLik} is not available for this fit.",
        x = if (object$family %in% c("hinge", "quantile")) {
          "The {object$family} loss is not a likelihood."
        } else {
          "It is only implemented for the gaussian and negative binomial families and binomial 0/1 responses."
        },
        i = "Use {.fn deviance} instead."
      ),
      call = rlang::current_env()
    )
  }
  structure(value, df = df, nobs = n, class = "logLik")
}
