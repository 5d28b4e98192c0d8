# Argument checks shared by the exported functions.
#
# Each helper takes the argument's name as the user wrote it (`arg`) and the
# caller's environment (`call`), so that the error names the user's function.
# Errors carry the class "smem_error_input" (and "smem_error").

# `envir` is where the message's {} expressions are evaluated: the helper
# that detected the problem.
abort_input <- function(message, call, class = NULL, envir = parent.frame()) {
  cli::cli_abort(
    message,
    class = c(class, "smem_error_input", "smem_error"),
    call = call,
    .envir = envir
  )
}

# Position of the first non-finite entry, for the message.
first_bad <- function(values) {
  which(!is.finite(values))[1]
}

check_finite <- function(values, arg, call, hint = NULL) {
  if (if (is.double(values)) all_finite_cpp(values) else all(is.finite(values))) {
    return(invisible())
  }
  bad <- !is.finite(values)
  kinds <- c(
    "NA" = sum(is.na(values) & !is.nan(values)),
    "NaN" = sum(is.nan(values)),
    "Inf" = sum(is.infinite(values))
  )
  kinds <- kinds[kinds > 0]
  described <- paste(kinds, names(kinds), collapse = ", ")
  where <- first_bad(values)
  if (is.matrix(values)) {
    row <- (where - 1) %% nrow(values) + 1
    col <- (where - 1) %/% nrow(values) + 1
    place <- sprintf("row %d, column %d", row, col)
  } else {
    place <- sprintf("element %d", where)
  }
  abort_input(
    c(
      "{.arg {arg}} must contain only finite values.",
      x = "Found {described} (first at {place}); {sum(bad)} value{?s} in all.",
      i = if (is.null(hint)) "Remove or impute the affected observations before fitting." else hint
    ),
    call = call,
    class = "smem_error_nonfinite"
  )
}

# Returns x as a dense double matrix.
check_x <- function(x, arg = "x", call = rlang::caller_env()) {
  if (inherits(x, "Matrix")) {
    # sparse or dense matrices of the Matrix package (densified: see NEWS)
    x <- as.matrix(x)
  }
  if (is.data.frame(x)) {
    numeric_columns <- vapply(x, is.numeric, logical(1))
    if (!all(numeric_columns)) {
      abort_input(
        c(
          "{.arg {arg}} must be a numeric matrix.",
          x = "Column{?s} {.val {names(x)[!numeric_columns]}} {?is/are} not numeric.",
          i = "Encode factors first, e.g. with {.fn model.matrix}."
        ),
        call = call
      )
    }
    x <- as.matrix(x)
  }
  if (!is.matrix(x) || !(is.numeric(x) || is.logical(x))) {
    abort_input(
      c(
        "{.arg {arg}} must be a numeric matrix.",
        x = "It is {.obj_type_friendly {x}}.",
        i = "Give a matrix with one row per observation and one column per variable."
      ),
      call = call
    )
  }
  if (nrow(x) < 2 || ncol(x) < 1) {
    abort_input(
      c(
        "{.arg {arg}} must have at least 2 rows and 1 column.",
        x = "It has {nrow(x)} row{?s} and {ncol(x)} column{?s}."
      ),
      call = call
    )
  }
  storage.mode(x) <- "double"
  check_finite(x, arg, call)
  x
}

check_length <- function(values, n, arg, call, rows_of = "x") {
  if (length(values) != n) {
    abort_input(
      c(
        "{.arg {arg}} must have one value per observation (the number of rows of {.arg {rows_of}}).",
        x = "{.arg {arg}} has length {length(values)}; {.arg {rows_of}} has {n} row{?s}."
      ),
      call = call
    )
  }
}

check_weights <- function(weights, n, arg = "weights", call = rlang::caller_env()) {
  if (is.null(weights)) {
    return(rep(1, n))
  }
  if (!is.numeric(weights)) {
    abort_input(
      c("{.arg {arg}} must be numeric.", x = "It is {.obj_type_friendly {weights}}."),
      call = call
    )
  }
  weights <- as.double(weights)
  check_length(weights, n, arg, call)
  check_finite(weights, arg, call)
  if (any(weights < 0)) {
    abort_input(
      c(
        "{.arg {arg}} must be non-negative.",
        x = "{sum(weights < 0)} weight{?s} {?is/are} negative (the first at element {which(weights < 0)[1]})."
      ),
      call = call
    )
  }
  if (sum(weights) <= 0) {
    abort_input(
      c(
        "{.arg {arg}} must not all be zero.",
        i = "Give at least one observation a positive weight."
      ),
      call = call
    )
  }
  weights
}

check_offset <- function(offset, n, arg = "offset", call = rlang::caller_env(), rows_of = "x") {
  if (is.null(offset)) {
    return(NULL)
  }
  if (!is.numeric(offset)) {
    abort_input(
      c("{.arg {arg}} must be numeric.", x = "It is {.obj_type_friendly {offset}}."),
      call = call
    )
  }
  offset <- as.double(offset)
  check_length(offset, n, arg, call, rows_of)
  check_finite(offset, arg, call)
  offset
}

check_number <- function(value, arg, call, lower = -Inf, upper = Inf,
                         lower_open = FALSE, upper_open = FALSE) {
  ok <- is.numeric(value) && length(value) == 1 && !is.na(value) && is.finite(value)
  if (ok) {
    ok <- (if (lower_open) value > lower else value >= lower) &&
      (if (upper_open) value < upper else value <= upper)
  }
  if (!ok) {
    # infinite ends are never accepted (the value must be finite)
    range <- paste0(
      if (lower_open || is.infinite(lower)) "(" else "[", format(lower), ", ", format(upper),
      if (upper_open || is.infinite(upper)) ")" else "]"
    )
    shown <- if (is.numeric(value) && length(value) == 1) format(value) else
      cli::format_inline("{.obj_type_friendly {value}}")
    abort_input(
      c(
        "{.arg {arg}} must be a single number in {range}.",
        x = "It is {shown}."
      ),
      call = call
    )
  }
  as.double(value)
}

check_lambda <- function(lambda, arg = "lambda", call = rlang::caller_env(), single = FALSE) {
  if (!is.numeric(lambda) || length(lambda) < 1) {
    abort_input(
      c(
        "{.arg {arg}} must be a numeric vector of penalty levels.",
        x = "It is {.obj_type_friendly {lambda}}."
      ),
      call = call
    )
  }
  if (single && length(lambda) != 1) {
    abort_input(
      c(
        "{.arg {arg}} must be a single penalty level.",
        x = "It has length {length(lambda)}.",
        i = "Use {.fn smem_path} to fit several values of {.arg {arg}}."
      ),
      call = call
    )
  }
  check_finite(lambda, arg, call, hint = "Give finite penalty levels.")
  if (any(lambda < 0)) {
    abort_input(
      c(
        "{.arg {arg}} must be non-negative.",
        x = "It contains {.val {lambda[lambda < 0][1]}}."
      ),
      call = call
    )
  }
  as.double(lambda)
}

# A whole number from 1 to the largest integer.
check_count <- function(value, arg, call) {
  value <- check_number(value, arg, call, lower = 1, upper = .Machine$integer.max)
  if (value != round(value)) {
    abort_input(
      c("{.arg {arg}} must be a whole number.", x = "It is {format(value)}."),
      call = call
    )
  }
  as.integer(value)
}

# One of the choices listed by the default of the calling function's
# argument `arg`; that whole vector (the argument left at its default) means
# the first. (rlang::arg_match() cost 40 us a call, a visible share of a
# small path's set-up.)
check_choice <- function(value, arg, call) {
  choices <- eval(formals(sys.function(sys.parent()))[[arg]])
  if (identical(value, choices)) {
    return(choices[[1]])
  }
  if (!is.character(value) || length(value) != 1 || is.na(value) || !value %in% choices) {
    shown <- if (is.character(value) && length(value) == 1) {
      cli::format_inline("{.val {value}}")
    } else {
      cli::format_inline("{.obj_type_friendly {value}}")
    }
    abort_input(
      c("{.arg {arg}} must be one of {.or {.val {choices}}}.", x = "It is {shown}."),
      call = call
    )
  }
  value
}

check_flag <- function(value, arg, call) {
  if (!is.logical(value) || length(value) != 1 || is.na(value)) {
    abort_input(
      c("{.arg {arg}} must be TRUE or FALSE.", x = "It is {.obj_type_friendly {value}}."),
      call = call
    )
  }
  value
}

check_penalty_factor <- function(penalty.factor, p, arg = "penalty.factor",
                                 call = rlang::caller_env()) {
  if (is.null(penalty.factor)) {
    return(rep(1, p))
  }
  if (!is.numeric(penalty.factor)) {
    abort_input(
      c("{.arg {arg}} must be numeric.", x = "It is {.obj_type_friendly {penalty.factor}}."),
      call = call
    )
  }
  if (length(penalty.factor) != p) {
    abort_input(
      c(
        "{.arg {arg}} must have one value per column of {.arg x}.",
        x = "{.arg {arg}} has length {length(penalty.factor)}; {.arg x} has {p} column{?s}."
      ),
      call = call
    )
  }
  check_finite(penalty.factor, arg, call, hint = "Give finite penalty factors; 0 leaves a column unpenalized.")
  if (any(penalty.factor < 0)) {
    abort_input(
      c(
        "{.arg {arg}} must be non-negative.",
        x = "It contains {.val {penalty.factor[penalty.factor < 0][1]}}."
      ),
      call = call
    )
  }
  if (all(penalty.factor == 0)) {
    abort_input(
      c(
        "{.arg {arg}} must penalize at least one column.",
        x = "All penalty factors are zero.",
        i = "Use {.fn glm} or {.fn lm} for an unpenalized fit."
      ),
      call = call
    )
  }
  as.double(penalty.factor)
}
