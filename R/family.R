# Families: how a response is checked and coded, and the deviance, mean and
# per-observation loss on the R side (the C++ core has its own copy of the
# loss for the iteration; the R copy reports deviances and checks results).

families <- c("gaussian", "binomial")

check_family <- function(family, call) {
  if (!is.character(family) || length(family) != 1 || is.na(family) ||
    !family %in% families) {
    shown <- if (is.character(family) && length(family) == 1) family else
      cli::format_inline("{.obj_type_friendly {family}}")
    abort_input(
      c(
        "{.arg family} must be one of {.or {.val {families}}}.",
        x = "It is {.val {shown}}."
      ),
      call = call
    )
  }
  family
}

# Codes the response for the family. Returns list(y, classes), with y the
# numeric vector the core works on and classes the two labels of a binary
# response (NULL otherwise).
prepare_response <- function(y, family, n, call) {
  if (is.matrix(y) || is.data.frame(y)) {
    if (NCOL(y) != 1) {
      abort_input(
        c(
          "{.arg y} must be a vector for family {.val {family}}.",
          x = "It has {NCOL(y)} columns."
        ),
        call = call
      )
    }
    y <- y[, 1, drop = TRUE]
  }
  check_length(y, n, "y", call)
  if (family == "gaussian") {
    if (!is.numeric(y)) {
      abort_input(
        c(
          "{.arg y} must be numeric for family {.val gaussian}.",
          x = "It is {.obj_type_friendly {y}}."
        ),
        call = call
      )
    }
    y <- as.double(y)
    check_finite(y, "y", call)
    return(list(y = y, classes = NULL))
  }

  # binomial: two classes, the second one the event
  if (is.numeric(y) || is.logical(y)) {
    check_finite(as.double(y), "y", call)
  } else if (anyNA(y)) {
    check_finite(ifelse(is.na(y), NA_real_, 0), "y", call)
  }
  if (is.logical(y)) {
    y <- factor(y, levels = c(FALSE, TRUE))
  } else if (is.numeric(y)) {
    if (!all(y %in% c(0, 1))) {
      odd <- unique(y[!y %in% c(0, 1)])
      abort_input(
        c(
          "A numeric {.arg y} must be coded 0/1 for family {.val binomial}.",
          x = "It contains {.val {utils::head(odd, 3)}}.",
          i = "Give a 0/1 vector, a logical vector or a factor with two levels."
        ),
        call = call
      )
    }
    y <- factor(y, levels = c(0, 1))
  } else if (is.character(y)) {
    y <- factor(y)
  } else if (!is.factor(y)) {
    abort_input(
      c(
        "{.arg y} must be a 0/1 vector, a logical vector or a factor for family {.val binomial}.",
        x = "It is {.obj_type_friendly {y}}."
      ),
      call = call
    )
  }
  present <- levels(droplevels(y))
  if (length(present) != 2) {
    abort_input(
      c(
        "{.arg y} must have exactly two classes for family {.val binomial}.",
        x = "It has {length(present)}: {.val {present}}.",
        i = if (length(present) < 2) "A model needs observations of both classes."
      ),
      call = call
    )
  }
  if (nlevels(y) > 2) {
    y <- droplevels(y)
  }
  list(y = as.double(as.integer(y) == 2L), classes = levels(y))
}

# Per-observation loss: the objective's loss term is mean(w * loss).
family_loss <- function(family, y, eta) {
  switch(family,
    gaussian = 0.5 * (y - eta)^2,
    binomial = {
      # log(1 + exp(eta)) computed without overflow
      pmax(eta, 0) + log1p(exp(-abs(eta))) - y * eta
    }
  )
}

family_mean <- function(family, eta) {
  switch(family,
    gaussian = eta,
    binomial = stats::plogis(eta)
  )
}

# Deviance with the weights as given: 2 * sum(w * (loss - saturated loss)).
family_deviance <- function(family, y, eta, weights) {
  switch(family,
    gaussian = sum(weights * (y - eta)^2),
    binomial = 2 * sum(weights * family_loss("binomial", y, eta))
  )
}
