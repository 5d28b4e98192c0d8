# Methods for cross-validated paths (class "smem_cv").

#' @export
print.smem_cv <- function(x, digits = max(3, getOption("digits") - 3), ...) {
  cat("\nCall: ", paste(deparse(x$call), collapse = "\n"), "\n\n", sep = "")
  nfolds <- length(unique(x$foldid))
  cat(sprintf("Measure: %s, %d folds\n\n", x$name, nfolds))
  at <- x$index[, 1]
  table <- data.frame(
    Lambda = signif(x$lambda[at], digits),
    Index = at,
    Measure = signif(x$cvm[at], digits),
    SE = signif(x$cvsd[at], digits),
    Nonzero = x$nzero[at],
    row.names = c("min", "1se")
  )
  print(table)
  invisible(x)
}

#' Plot the cross-validation curve of an SM-EM path
#'
#' Draws the cross-validated measure against \eqn{\log(\lambda)} with bars of
#' one standard error, dotted vertical lines at `lambda.min` and
#' `lambda.1se`, and the number of nonzero coefficients of the full fit
#' along the top.
#'
#' @param x A result of [smem_cv()].
#' @param sign.lambda `1` (the default) plots against \eqn{\log(\lambda)},
#'   `-1` against \eqn{-\log(\lambda)} (the sparsest fits on the left), as
#'   in glmnet.
#' @param ... Passed to [graphics::plot()] (e.g. `main`, `ylim`).
#' @return `x`, invisibly.
#' @export
plot.smem_cv <- function(x, sign.lambda = 1, ...) {
  number <- is.numeric(sign.lambda) && length(sign.lambda) == 1 && !is.na(sign.lambda)
  if (!number || !sign.lambda %in% c(-1, 1)) {
    shown <- if (number) format(sign.lambda) else cli::format_inline("{.obj_type_friendly {sign.lambda}}")
    abort_input(
      c("{.arg sign.lambda} must be 1 or -1.", x = "It is {shown}."),
      call = rlang::current_env()
    )
  }
  horizontal <- sign.lambda * log(x$lambda)
  dots <- list(...)
  defaults <- list(
    x = horizontal, y = x$cvm, type = "n",
    xlab = if (sign.lambda > 0) expression(log(lambda)) else expression(-log(lambda)),
    ylab = x$name,
    ylim = range(x$cvlo, x$cvup, na.rm = TRUE)
  )
  do.call(graphics::plot, c(dots, defaults[setdiff(names(defaults), names(dots))]))
  bars <- x$cvup > x$cvlo
  if (any(bars)) {
    graphics::arrows(
      horizontal[bars], x$cvlo[bars], horizontal[bars], x$cvup[bars],
      angle = 90, code = 3, length = 0.02, col = "grey55"
    )
  }
  graphics::points(horizontal, x$cvm, pch = 20, col = "firebrick")
  graphics::abline(v = sign.lambda * log(c(x$lambda.min, x$lambda.1se)), lty = 3)
  graphics::axis(3, at = horizontal, labels = x$nzero, tick = FALSE, line = -0.5, cex.axis = 0.7)
  invisible(x)
}

# The penalty level named or given by `s`, and a column label for it.
cv_penalty <- function(object, s, call) {
  if (is.character(s)) {
    choices <- c("lambda.1se", "lambda.min")
    if (length(s) < 1 || !all(s %in% choices)) {
      abort_input(
        c(
          "{.arg s} must be {.or {.val {choices}}}, or numeric penalty levels.",
          x = "It is {.val {s}}."
        ),
        call = call
      )
    }
    return(list(value = unname(unlist(object[s])), label = s))
  }
  s <- check_s(s, call)
  list(value = s, label = NULL)
}

#' Coefficients and predictions at a cross-validated penalty level
#'
#' Both methods pass to the full-data path (`object$smem.fit`) the penalty
#' level chosen by `s`; see [coef.smem_path()] for how values between grid
#' points are obtained.
#'
#' @param object A result of [smem_cv()].
#' @param s `"lambda.1se"` (the default: the sparsest fit whose error is
#'   within one standard error of the best), `"lambda.min"` (the best error),
#'   or numeric penalty levels.
#' @param newx Matrix of new observations, as for [predict.smem_path()].
#' @param ... `coef()`: only `exact = FALSE` (anything else is an error).
#'   `predict()`: passed to
#'   [predict.smem_path()], such as `type` and `newoffset`.
#' @return As for [coef.smem_path()] and [predict.smem_path()]; when `s`
#'   names the choices (`"lambda.1se"`, `"lambda.min"` or both) the columns
#'   are named after them.
#' @examples
#' data(Pima.tr, Pima.te, package = "MASS")
#' x <- as.matrix(Pima.tr[, 1:7])
#' set.seed(2)
#' cv <- smem_cv(x, Pima.tr$type, family = "binomial", nfolds = 5)
#' coef(cv)
#' coef(cv, s = "lambda.min")
#' head(predict(cv, as.matrix(Pima.te[, 1:7]), type = "response"))
#' @export
coef.smem_cv <- function(object, s = c("lambda.1se", "lambda.min"), ...) {
  reject_exact(list(...), rlang::current_env())
  if (missing(s)) s <- "lambda.1se"
  at <- cv_penalty(object, s, rlang::current_env())
  out <- stats::coef(object$smem.fit, s = at$value)
  if (!is.null(at$label)) {
    colnames(out) <- at$label
  }
  out
}

#' @rdname coef.smem_cv
#' @export
predict.smem_cv <- function(object, newx, s = c("lambda.1se", "lambda.min"), ...) {
  if (missing(s)) s <- "lambda.1se"
  at <- cv_penalty(object, s, rlang::current_env())
  out <- stats::predict(object$smem.fit, newx, s = at$value, ...)
  if (!is.null(at$label) && !is.null(dim(out))) {
    colnames(out) <- at$label
  } else if (!is.null(at$label) && is.list(out)) {
    names(out) <- at$label
  }
  out
}
