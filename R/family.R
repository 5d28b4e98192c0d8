# Families: how a response is checked and coded, the family's parameters,
# and the deviance, mean, gradient and per-observation loss on the R side
# (the C++ core has its own copy of the loss for the iteration; the R copy
# reports deviances, builds the lambda grid and checks results).
#
# A family is described by a small list, the "family spec":
#   name   "gaussian", "binomial", "negbin", "hinge" or "quantile"
#   tau    quantile level (quantile), size: negative binomial size (negbin)
#   band   half-width of the rounded kink of the hinge and check losses, in
#          the units of the residual (set by new_problem(); 0 in the R loss,
#          which is the loss itself)

families <- c("gaussian", "binomial", "negbin", "hinge", "quantile")

check_family <- function(family, tau, size, call) {
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
  check_unused(tau, "tau", family != "quantile", "family", family, call)
  check_unused(size, "size", family != "negbin", "family", family, call)
  spec <- list(name = family, tau = NA_real_, size = NA_real_, band = 0)
  if (family == "quantile") {
    spec$tau <- if (is.null(tau)) 0.5 else
      check_number(tau, "tau", call, lower = 0, upper = 1, lower_open = TRUE, upper_open = TRUE)
  }
  if (family == "negbin") {
    if (is.null(size)) {
      abort_input(
        c(
          "{.arg size} must be given for {.code family = \"negbin\"}.",
          i = "It is the known size (dispersion) parameter of the negative binomial, e.g. from {.fn MASS::glm.nb}'s {.field theta}."
        ),
        call = call
      )
    }
    spec$size <- check_number(size, "size", call, lower = 0, lower_open = TRUE)
  }
  spec
}

# An error when a shape argument is given to a family or penalty that does
# not use it (rather than ignoring it).
check_unused <- function(value, arg, unused, kind, name, call) {
  if (!is.null(value) && unused) {
    abort_input(
      c(
        "{.arg {arg}} is not used with {.code {kind} = \"{name}\"}.",
        x = "It was given as {format(value)}.",
        i = "Leave {.arg {arg}} out, or choose a {kind} that takes it."
      ),
      call = call
    )
  }
}

# Codes the response for the family. Returns list(y, classes, trials): y the
# numeric vector the core works on, classes the two labels of a binary
# response (NULL otherwise), trials the number of binomial trials per
# observation when y was given as counts (NULL otherwise; the observation
# weights are multiplied by it).
prepare_response <- function(y, family, n, call) {
  name <- family$name
  if (name == "binomial" && (is.matrix(y) || is.data.frame(y)) && NCOL(y) == 2) {
    return(binomial_counts(y, n, call))
  }
  if (is.matrix(y) || is.data.frame(y)) {
    if (NCOL(y) != 1) {
      abort_input(
        c(
          "{.arg y} must be a vector for family {.val {name}}.",
          x = "It has {NCOL(y)} columns.",
          i = if (name == "binomial") "A matrix {.arg y} must have two columns: successes and failures."
        ),
        call = call
      )
    }
    y <- y[, 1, drop = TRUE]
  }
  check_length(y, n, "y", call)
  switch(name,
    gaussian = ,
    quantile = list(y = numeric_response(y, name, call), classes = NULL),
    negbin = {
      y <- numeric_response(y, name, call)
      if (any(y < 0)) {
        abort_input(
          c(
            "{.arg y} must be a non-negative count for family {.val negbin}.",
            x = "It contains {.val {y[y < 0][1]}} ({sum(y < 0)} negative value{?s})."
          ),
          call = call
        )
      }
      list(y = y, classes = NULL)
    },
    binomial = binary_response(y, name, call),
    hinge = {
      if (is.numeric(y) || is.logical(y)) {
        check_finite(as.double(y), "y", call)
      }
      if (is.numeric(y) && !all(y %in% c(-1, 1))) {
        odd <- unique(y[!y %in% c(-1, 1)])
        abort_input(
          c(
            "A numeric {.arg y} must be coded -1/1 for family {.val hinge}.",
            x = "It contains {.val {utils::head(odd, 3)}}.",
            i = "Give a -1/1 vector, a logical vector or a factor with two levels."
          ),
          call = call
        )
      }
      if (is.numeric(y)) y <- factor(y, levels = c(-1, 1))
      coded <- binary_response(y, name, call)
      coded$y <- 2 * coded$y - 1
      coded
    }
  )
}

numeric_response <- function(y, name, call) {
  if (!is.numeric(y)) {
    abort_input(
      c(
        "{.arg y} must be numeric for family {.val {name}}.",
        x = "It is {.obj_type_friendly {y}}."
      ),
      call = call
    )
  }
  y <- as.double(y)
  check_finite(y, "y", call)
  y
}

# A two-class response as 0/1 (the second class is the event), or, for the
# binomial family, proportions in [0, 1] (weights then give the trials).
binary_response <- function(y, name, call) {
  if (is.numeric(y) || is.logical(y)) {
    check_finite(as.double(y), "y", call)
  } else if (anyNA(y)) {
    check_finite(ifelse(is.na(y), NA_real_, 0), "y", call)
  }
  if (is.logical(y)) {
    y <- factor(y, levels = c(FALSE, TRUE))
  } else if (is.numeric(y)) {
    binary <- y == 0 | y == 1
    if (name == "binomial" && all(y >= 0 & y <= 1) && !all(binary)) {
      # proportions of successes, the weights being the numbers of trials
      return(list(y = as.double(y), classes = c("0", "1")))
    }
    if (!all(binary)) {
      odd <- unique(y[!y %in% c(0, 1)])
      abort_input(
        c(
          "A numeric {.arg y} must be coded 0/1 (or be proportions in [0, 1]) for family {.val binomial}.",
          x = "It contains {.val {utils::head(odd, 3)}}.",
          i = "Give a 0/1 vector, proportions with the numbers of trials as {.arg weights}, a two-column matrix of successes and failures, a logical vector or a factor with two levels."
        ),
        call = call
      )
    }
    if (any(y == 0) && any(y == 1)) {
      # the common case, without a factor
      return(list(y = as.double(y), classes = c("0", "1")))
    }
    y <- factor(y, levels = c(0, 1))
  } else if (is.character(y)) {
    y <- factor(y)
  } else if (!is.factor(y)) {
    abort_input(
      c(
        "{.arg y} must be a two-class vector or factor for family {.val {name}}.",
        x = "It is {.obj_type_friendly {y}}."
      ),
      call = call
    )
  }
  present <- levels(droplevels(y))
  if (length(present) != 2) {
    abort_input(
      c(
        "{.arg y} must have exactly two classes for family {.val {name}}.",
        x = "It has {length(present)}: {.val {present}}.",
        i = if (length(present) < 2) {
          "A model needs observations of both classes."
        } else {
          "Combine or drop levels so that two remain (the second is the event)."
        }
      ),
      call = call
    )
  }
  if (nlevels(y) > 2) {
    y <- droplevels(y)
  }
  list(y = as.double(as.integer(y) == 2L), classes = levels(y))
}

# Binomial counts: a two-column matrix of successes and failures (glm()'s
# convention), coded as proportions with the trials as weights.
binomial_counts <- function(y, n, call) {
  y <- as.matrix(y)
  if (!is.numeric(y)) {
    abort_input(
      c(
        "A two-column {.arg y} must hold numbers of successes and failures.",
        x = "It is {.obj_type_friendly {y}}."
      ),
      call = call
    )
  }
  if (nrow(y) != n) {
    abort_input(
      c(
        "{.arg y} must have one row per observation (the number of rows of {.arg x}).",
        x = "{.arg y} has {nrow(y)} row{?s}; {.arg x} has {n}."
      ),
      call = call
    )
  }
  storage.mode(y) <- "double"
  check_finite(y, "y", call)
  if (any(y < 0)) {
    abort_input(
      c(
        "The counts in {.arg y} must be non-negative.",
        x = "It contains {.val {y[y < 0][1]}} ({sum(y < 0)} negative value{?s})."
      ),
      call = call
    )
  }
  trials <- rowSums(y)
  if (all(trials == 0)) {
    abort_input(
      c("{.arg y} must have at least one trial.", x = "Every row has zero successes and failures."),
      call = call
    )
  }
  list(
    y = ifelse(trials > 0, y[, 1] / pmax(trials, 1e-300), 0),
    classes = c("failure", "success"), trials = trials
  )
}

# Per-observation loss: the objective's loss term is mean(w * loss). For the
# hinge and check losses `band` > 0 gives the rounded loss the core minimizes.
family_loss <- function(family, y, eta) {
  band <- family$band
  smooth_abs <- function(u) {
    if (band > 0) ifelse(abs(u) >= band, abs(u), (u^2 / band + band) / 2) else abs(u)
  }
  switch(family$name,
    gaussian = 0.5 * (y - eta)^2,
    binomial = log1p_exp(eta) - y * eta,
    negbin = {
      # for psi > 0 without the cancellation of two terms of order y psi
      h <- family$size
      psi <- eta - log(h)
      ifelse(psi > 0,
        h * psi + (y + h) * log1p(exp(-psi)),
        (y + h) * log1p(exp(psi)) - y * psi
      )
    },
    hinge = {
      u <- 1 - y * eta
      (smooth_abs(u) + u) / 2
    },
    quantile = {
      r <- y - eta
      smooth_abs(r) / 2 + (family$tau - 0.5) * r
    }
  )
}

# log(1 + exp(eta)) without overflow
log1p_exp <- function(eta) {
  pmax(eta, 0) + log1p(exp(-abs(eta)))
}

# The smallest loss each observation can reach (the saturated model).
family_saturated_loss <- function(family, y) {
  switch(family$name,
    gaussian = ,
    hinge = ,
    quantile = rep(0, length(y)),
    binomial = {
      if (all(y == 0 | y == 1)) {
        return(numeric(length(y)))
      }
      entropy <- function(p) {
        out <- numeric(length(p))
        inside <- p > 0
        out[inside] <- p[inside] * log(p[inside])
        out
      }
      -(entropy(y) + entropy(1 - y))
    },
    negbin = {
      # (y + h) log(1 + y/h) - y log(y/h), written without the cancellation
      # of its two large terms: h log(1 + y/h) + y log(1 + h/y)
      h <- family$size
      out <- numeric(length(y))
      inside <- y > 0
      out[inside] <- h * log1p(y[inside] / h) + y[inside] * log1p(h / y[inside])
      out
    }
  )
}

# d loss / d eta
family_gradient <- function(family, y, eta) {
  band <- family$band
  slope <- function(u) {
    if (band > 0) pmin(pmax(u / band, -1), 1) else sign(u)
  }
  switch(family$name,
    gaussian = eta - y,
    binomial = stats::plogis(eta) - y,
    negbin = {
      # (y + h) plogis(psi) - y, as h - (y + h) plogis(-psi) for psi > 0,
      # where plogis(psi) rounds to 1 for large counts
      h <- family$size
      psi <- eta - log(h)
      ifelse(psi > 0, h - (y + h) * stats::plogis(-psi), (y + h) * stats::plogis(psi) - y)
    },
    hinge = -y * (slope(1 - y * eta) + 1) / 2,
    quantile = -(slope(y - eta) / 2 + family$tau - 0.5)
  )
}

# The fitted value on the response scale: the mean (gaussian, binomial,
# negbin), the decision value (hinge) or the conditional quantile.
family_mean <- function(family, eta) {
  switch(family$name,
    binomial = stats::plogis(eta),
    negbin = exp(eta),
    eta
  )
}

# Deviances of the columns of the linear predictors `eta` (n x L), as
# family_deviance() computes each, with the saturated part computed once.
path_deviance <- function(family, y, eta, weights) {
  family$band <- 0
  saturated <- sum(weights * family_saturated_loss(family, y))
  2 * (colSums(weights * family_loss(family, y, eta)) - saturated)
}

# Deviance with the weights as given: 2 * sum(w * (loss - saturated loss));
# for the hinge and check losses, twice the weighted loss (the loss itself,
# not its rounded version).
family_deviance <- function(family, y, eta, weights) {
  family$band <- 0
  loss <- family_loss(family, y, eta)
  2 * sum(weights * (loss - family_saturated_loss(family, y)))
}
