# Methods for regularization paths (class "smem_path").

#' @export
print.smem_path <- function(x, digits = max(3, getOption("digits") - 3), ...) {
  cat("\nCall: ", deparse(x$call), "\n\n", sep = "")
  table <- data.frame(
    Df = x$df,
    `%Dev` = round(100 * x$dev.ratio, 2),
    Lambda = signif(x$lambda, digits),
    check.names = FALSE
  )
  print(table)
  invisible(x)
}

#' Summarize an SM-EM path
#'
#' @param object A path from [smem_path()].
#' @param ... Not used.
#' @return An object of class `"summary.smem_path"` with the path's size,
#'   range and convergence counts; it has a print method.
#' @export
summary.smem_path <- function(object, ...) {
  structure(
    list(
      call = object$call, family = object$family, penalty = object$penalty,
      alpha = object$alpha, nlambda = length(object$lambda),
      lambda = range(object$lambda), df = range(object$df),
      dev.ratio = max(object$dev.ratio), iter = sum(object$iter),
      converged = sum(object$converged), nobs = object$nobs,
      p = nrow(object$beta)
    ),
    class = "summary.smem_path"
  )
}

#' @export
print.summary.smem_path <- function(x, digits = max(3, getOption("digits") - 3), ...) {
  cat("\nCall: ", deparse(x$call), "\n\n", sep = "")
  cat(sprintf(
    "Family %s, penalty %s (alpha = %s); %d observations, %d variables\n",
    x$family, x$penalty, format(x$alpha, digits = digits), x$nobs, x$p
  ))
  cat(sprintf(
    "%d penalty levels from %s down to %s; %d to %d nonzero coefficients\n",
    x$nlambda, format(x$lambda[2], digits = digits),
    format(x$lambda[1], digits = digits), x$df[1], x$df[2]
  ))
  cat(sprintf(
    "Largest deviance explained %.2f%%; %d iterations in all; %d of %d levels converged\n",
    100 * x$dev.ratio, x$iter, x$converged, x$nlambda
  ))
  invisible(x)
}

# Linear interpolation weights of penalty levels `s` on the decreasing grid
# `lambda`: for each s, the bracketing indices and the weight of the left one.
interpolation <- function(lambda, s) {
  if (length(lambda) == 1) {
    return(list(left = rep(1L, length(s)), right = rep(1L, length(s)), weight = rep(1, length(s))))
  }
  s <- pmin(pmax(s, min(lambda)), max(lambda))
  decreasing <- rev(lambda)
  position <- findInterval(s, decreasing, rightmost.closed = TRUE)
  position <- pmax(1L, pmin(position, length(lambda) - 1L))
  low <- decreasing[position]
  high <- decreasing[position + 1L]
  weight_high <- ifelse(high > low, (s - low) / (high - low), 1)
  right <- length(lambda) + 1L - position          # index of `low`
  left <- right - 1L                               # index of `high`
  list(left = left, right = right, weight = weight_high)
}

check_s <- function(s, call) {
  check_lambda(s, "s", call)
}

# Exact refits at new penalty levels are not offered: say so rather than
# interpolate silently.
reject_exact <- function(dots, call) {
  # other arguments (a `lambda =` meant as `s =`, a misspelt one) would be
  # ignored silently: `exact = FALSE` is the only one accepted, as glmnet's
  unknown <- setdiff(names(dots), "exact")
  if (length(dots) > 0 && (is.null(names(dots)) || any(names(dots) == "") || length(unknown) > 0)) {
    shown <- if (length(unknown) > 0) unknown else "(unnamed)"
    abort_input(
      c(
        "Unknown argument{?s} {.arg {shown}}.",
        i = "Penalty levels are given as {.arg s}; see {.fn coef.smem_path}."
      ),
      call = call
    )
  }
  if (isTRUE(dots$exact)) {
    abort_input(
      c(
        "{.code exact = TRUE} is not available: values between grid points are interpolated.",
        i = "For the exact solution at a new {.arg lambda}, refit with {.fn smem} (warm-started with {.arg init})."
      ),
      call = call,
      class = "smem_error_unavailable"
    )
  }
}

#' @export
deviance.smem_path <- function(object, ...) {
  (1 - object$dev.ratio) * object$nulldev
}

# Coefficients of a path at `s` (NULL: the grid itself), as list(a0, beta).
path_coefficients <- function(object, s, call) {
  if (is.null(s)) {
    return(list(a0 = object$a0, beta = object$beta, labels = colnames(object$beta)))
  }
  s <- check_s(s, call)
  at <- interpolation(object$lambda, s)
  beta <- object$beta[, at$left, drop = FALSE] %*% Matrix::Diagonal(x = at$weight) +
    object$beta[, at$right, drop = FALSE] %*% Matrix::Diagonal(x = 1 - at$weight)
  a0 <- object$a0[at$left] * at$weight + object$a0[at$right] * (1 - at$weight)
  labels <- paste0("s", seq_along(s) - 1)
  beta <- methods::as(beta, "generalMatrix")
  dimnames(beta) <- list(rownames(object$beta), labels)
  list(a0 = stats::setNames(a0, labels), beta = beta, labels = labels)
}

#' Coefficients and predictions along an SM-EM path
#'
#' Values at penalty levels `s` between grid points are interpolated
#' linearly in `lambda` between the two neighbouring fits; values outside the
#' grid take the nearest end. For exact values at a new `lambda`, refit with
#' [smem()] (warm-started with `init`).
#'
#' @param object A path from [smem_path()].
#' @param newx Matrix of new observations (a plain vector is one
#'   observation).
#' @param s Penalty levels; default the whole grid.
#' @param type As in [predict.smem()].
#' @param newoffset Offset for `newx`, required when the path used one.
#' @param ... Not used.
#' @return `coef()`: a sparse matrix with the intercept in the first row and
#'   one column per `s`. `predict()`: a matrix with one row per row of `newx`
#'   and one column per `s`, or for `"nonzero"` a list of variable names per
#'   `s`.
#' @export
coef.smem_path <- function(object, s = NULL, ...) {
  reject_exact(list(...), rlang::current_env())
  at <- path_coefficients(object, s, rlang::current_env())
  out <- rbind(Matrix::Matrix(at$a0, nrow = 1, sparse = TRUE), at$beta)
  out <- methods::as(methods::as(out, "CsparseMatrix"), "generalMatrix")
  dimnames(out) <- list(c("(Intercept)", rownames(at$beta)), at$labels)
  out
}

#' @rdname coef.smem_path
#' @export
predict.smem_path <- function(object, newx, s = NULL,
                              type = c("link", "response", "class", "coefficients", "nonzero"),
                              newoffset = NULL, ...) {
  call <- rlang::current_env()
  reject_exact(list(...), call)
  type <- check_choice(type, "type", call)
  if (type == "coefficients") {
    return(coef(object, s = s))
  }
  at <- path_coefficients(object, s, call)
  if (type == "nonzero") {
    beta <- as.matrix(at$beta)
    out <- lapply(seq_len(ncol(beta)), function(k) rownames(beta)[beta[, k] != 0])
    names(out) <- at$labels
    return(out)
  }
  link <- predict_link(at$a0, at$beta, object, newx, newoffset, call)
  link <- as.matrix(link)
  colnames(link) <- at$labels
  finish_prediction(object, link, type, call)
}

#' Plot the coefficient paths of an SM-EM path
#'
#' @param x A path from [smem_path()].
#' @param xvar Horizontal axis: `"lambda"` (log scale), `"norm"` (L1 norm of
#'   the coefficients) or `"dev"` (fraction of deviance explained).
#' @param label Write the variable names at the end of their paths?
#' @param ... Passed to [graphics::matplot()].
#' @return `x`, invisibly.
#' @export
plot.smem_path <- function(x, xvar = c("lambda", "norm", "dev"), label = FALSE, ...) {
  xvar <- check_choice(xvar, "xvar", rlang::current_env())
  beta <- as.matrix(x$beta)
  shown <- which(rowSums(beta != 0) > 0)
  horizontal <- switch(xvar,
    lambda = log(x$lambda),
    norm = colSums(abs(beta)),
    dev = x$dev.ratio
  )
  xlab <- switch(xvar,
    lambda = "Log Lambda",
    norm = "L1 Norm",
    dev = "Fraction Deviance Explained"
  )
  if (length(shown) == 0) {
    graphics::plot(horizontal, rep(0, length(horizontal)),
      type = "n",
      xlab = xlab, ylab = "Coefficients", ...
    )
    graphics::abline(h = 0, lty = 3)
    return(invisible(x))
  }
  graphics::matplot(horizontal, t(beta[shown, , drop = FALSE]),
    type = "l", lty = 1, xlab = xlab, ylab = "Coefficients", ...
  )
  graphics::abline(h = 0, lty = 3)
  graphics::axis(3, at = horizontal, labels = x$df, tick = FALSE, line = -0.5, cex.axis = 0.7)
  if (label) {
    end <- if (xvar == "lambda") which.min(horizontal) else which.max(horizontal)
    graphics::text(horizontal[end], beta[shown, end], rownames(beta)[shown],
      pos = 4, cex = 0.6, xpd = TRUE
    )
  }
  invisible(x)
}
