#' Choose the penalty level of an SM-EM path by cross-validation
#'
#' Fits [smem_path()] to all the data, which fixes the grid of penalty
#' levels, then refits the same grid with each fold held out in turn and
#' scores the held-out observations. The result gives the cross-validated
#' error at every `lambda`, its standard error, and two choices of `lambda`:
#' the one with the best error (`lambda.min`) and the largest one whose error
#' is within one standard error of the best (`lambda.1se`).
#'
#' @section Folds:
#' Without `foldid`, observations are assigned to `nfolds` folds at random
#' (so call [set.seed()] first for a reproducible split). For a two-class
#' response (binomial 0/1, or hinge) the assignment is stratified: the observations of each class are
#' shuffled and dealt to the folds in turn, rarer class first, so that every
#' fold gets as many observations of each class as possible (the counts
#' differ by at most one between folds). When the rarer class has fewer
#' observations than there are folds, some folds would have none, and
#' `smem_cv()` stops and asks for fewer folds; leave-one-out
#' (`nfolds` equal to the number of observations) is the exception, since
#' its folds hold a single observation by design.
#'
#' Whatever the folds, each training set (the data minus one fold) must hold
#' at least two observations with positive weight and, for a two-class
#' response, observations of both classes; otherwise the fit on it is not
#' defined and `smem_cv()` stops, naming the fold.
#'
#' @section Measures:
#' Every measure but `"auc"` is computed for each held-out observation and
#' averaged with the observation weights. The per-observation values are,
#' with \eqn{\eta}{eta} the out-of-fold linear predictor (offset included)
#' and \eqn{p = 1/(1 + e^{-\eta})}{p = 1 / (1 + exp(-eta))}:
#' * `"deviance"`: for `"gaussian"` the squared error
#'   \eqn{(y - \eta)^2}{(y - eta)^2}; for `"binomial"`
#'   \eqn{-2(y \log p + (1 - y)\log(1 - p))}{-2 (y log(p) + (1 - y) log(1 - p))}
#'   minus its value at \eqn{p = y} (zero for 0/1 data), with `p`
#'   first clamped to \[1e-5, 1 - 1e-5\] so that one confident mistake
#'   cannot make the average infinite; for `"negbin"` the negative binomial
#'   deviance; for `"hinge"` and `"quantile"` twice the loss (the loss
#'   itself, not its rounded version);
#' * `"mse"` and `"mae"`: the squared and absolute difference between `y`
#'   and the fitted value (`p` for `"binomial"`, where `y` is coded 0/1 and
#'   glmnet counts both classes and reports twice these values; the mean
#'   for `"negbin"`; the quantile for `"quantile"`; the decision value
#'   against `y` coded -1/1 for `"hinge"`);
#' * `"class"` (binomial 0/1 and hinge): 1 when the class on the side of
#'   zero of the linear predictor is not the observed one, else 0.
#'
#' `"auc"` (binomial 0/1 and hinge) is the area under the ROC curve, computed within
#' each fold with the observation weights (ties count one half) and averaged
#' over the folds with the folds' total weights. It is larger for better
#' fits, so `lambda.min` maximizes it. Every fold must hold at least one
#' observation of each class with positive weight (else its AUC is not
#' defined and `smem_cv()` stops); with fewer than 5 of either class in some
#' fold the fold AUCs are coarse, and a warning says so.
#'
#' `"default"` is `"deviance"` for every family (for `"gaussian"` it is the
#' mean squared error).
#'
#' @section Standard error:
#' With \eqn{m_k}{m_k} the weighted mean of the measure over fold \eqn{k}{k}
#' (its AUC for `"auc"`), \eqn{W_k}{W_k} the fold's total weight and
#' \eqn{K}{K} the number of folds with positive total weight, `cvm` is
#' \eqn{\sum_k W_k m_k / \sum_k W_k}{sum_k W_k m_k / sum_k W_k} (the
#' weighted mean over all observations) and
#' \deqn{\mathrm{cvsd} = \sqrt{\frac{\sum_k W_k (m_k - \mathrm{cvm})^2 /
#'   \sum_k W_k}{K - 1}},}{cvsd = sqrt( [sum_k W_k (m_k - cvm)^2 / sum_k W_k] / (K - 1) ),}
#' the usual estimate of the standard error of the mean of \eqn{K} fold
#' values. Under leave-one-out each fold is one observation, so this is the
#' standard error of the mean of the per-observation values.
#'
#' @section Parallel folds:
#' With `parallel = TRUE` the fold fits run through
#' [future.apply::future_lapply()] on the backend chosen with
#' [future::plan()] (sequential unless you choose another). The fold fits
#' use no random numbers, so for a given `foldid` the result is the same
#' with or without `parallel` and whatever the plan. With `trace = TRUE` the
#' progress bar then moves one batch of folds (one per worker) at a time.
#'
#' @param x,y Predictors and response, as in [smem_path()].
#' @param ... Arguments of [smem_path()]: `family`, `penalty`, `alpha`,
#'   `gamma`, `q`, `tau`, `size`, `weights`, `offset`, `lambda`, `nlambda`, `lambda.min.ratio`,
#'   `standardize`, `intercept`, `penalty.factor`, `accelerate`, `control`,
#'   `early.stop`. They define the fit to all the data; the folds are fitted
#'   with the same settings on that fit's grid of `lambda`, without early
#'   stopping, and with their share of `weights` and `offset`.
#' @param nfolds Number of folds, from 3 to the number of observations
#'   (leave-one-out). Ignored when `foldid` is given; giving both with
#'   different numbers of folds is an error.
#' @param foldid Optional fold of each observation: a vector of whole
#'   numbers, one per row of `x`, with at least 3 distinct values (any
#'   labels; they are kept as given in the result).
#' @param type.measure Loss used to score the held-out observations:
#'   `"default"`, `"deviance"`, `"class"`, `"auc"`, `"mse"` or `"mae"`; see
#'   the Measures section.
#' @param keep Keep the out-of-fold linear predictors in the result?
#' @param parallel Fit the folds through the future framework? Needs the
#'   future.apply package.
#' @param trace Show a progress bar over the full fit and the folds?
#' @return An object of class `"smem_cv"`, a list with
#'   * `lambda`: the grid (decreasing), that of `smem.fit`;
#'   * `cvm`, `cvsd`: the cross-validated measure and its standard error at
#'     each `lambda`; `cvup = cvm + cvsd` and `cvlo = cvm - cvsd`;
#'   * `nzero`: nonzero coefficients of the full fit at each `lambda`;
#'   * `name`: the measure's label, named by its code (`"deviance"`, ...);
#'   * `lambda.min`, `lambda.1se`: the chosen penalty levels, and `index`, a
#'     two-row matrix (`min`, `1se`) of their positions in `lambda`;
#'   * `smem.fit`: the [smem_path()] fit to all the data;
#'   * `foldid`: the fold of each observation;
#'   * `fit.preval` (only with `keep = TRUE`): an `n` by `length(lambda)`
#'     matrix of out-of-fold linear predictors, offset included (for
#'     `"gaussian"`, the predicted responses);
#'   * `call`.
#' @seealso [smem_path()]; the methods [coef.smem_cv()],
#'   [predict.smem_cv()] and [plot.smem_cv()].
#' @examples
#' data(Pima.tr, package = "MASS")
#' x <- as.matrix(Pima.tr[, 1:7])
#' set.seed(1)
#' cv <- smem_cv(x, Pima.tr$type, family = "binomial", nfolds = 5)
#' cv
#' plot(cv)
#' coef(cv, s = "lambda.min")
#' @export
smem_cv <- function(x, y, ..., nfolds = 10, foldid = NULL,
                    type.measure = c("default", "deviance", "class", "auc", "mse", "mae"),
                    keep = FALSE, parallel = FALSE, trace = FALSE) {
  call <- rlang::current_env()
  this_call <- match.call()

  # check the arguments of the cross-validation itself
  keep <- check_flag(keep, "keep", call)
  parallel <- check_flag(parallel, "parallel", call)
  trace <- check_flag(trace, "trace", call)
  type.measure <- check_choice(type.measure, "type.measure", call)
  path_args <- check_path_args(list(...), call)
  if (parallel) {
    check_parallel_backend(call)
  }

  # coerce the data as smem_path() will, to split it
  x <- check_x(x, "x", call)
  n <- nrow(x)
  spec <- check_family(
    if (is.null(path_args[["family"]])) "gaussian" else path_args[["family"]],
    path_args[["tau"]], path_args[["size"]], call
  )
  family <- spec$name
  response <- prepare_response(y, spec, n, call)
  weights <- check_weights(path_args[["weights"]], n, "weights", call)
  if (!is.null(response$trials)) {
    weights <- weights * response$trials
  }
  # the fold fits get the response as coded for the family; the measures a
  # 0/1 version of a two-class one
  fit_y <- response$y
  two_class <- family %in% c("binomial", "hinge") && all(response$y %in% c(-1, 0, 1))
  if (family == "hinge") {
    response$y <- (response$y + 1) / 2
  }
  offset <- check_offset(path_args[["offset"]], n, "offset", call)
  measure <- resolve_measure(type.measure, family, two_class, call)

  # folds
  if (is.null(foldid)) {
    nfolds <- check_nfolds(nfolds, n, call)
    foldid <- make_folds(response$y, if (two_class) response$classes, nfolds, call)
  } else {
    foldid <- check_foldid(foldid, n, call)
    if (!missing(nfolds)) {
      check_nfolds_agree(nfolds, foldid, call)
    }
  }
  fold <- match(foldid, sort(unique(foldid)))
  nfolds <- max(fold)
  check_training_sets(response$y, if (two_class) response$classes, weights, fold, call)
  if (measure == "auc") {
    check_auc_folds(response$y, weights, fold, call)
  }

  # the full fit fixes the grid
  progress <- cv_progress(nfolds, trace, call)
  full <- tryCatch(
    smem_path(x = x, y = y, ...),
    # the user called smem_cv(): name it in input errors of the full fit
    smem_error_input = function(error) {
      error$call <- this_call
      stop(error)
    }
  )
  full$call <- path_call(this_call)
  progress$update(1)
  lambda <- full$lambda

  # fold fits on that grid
  setup <- list(
    x = x, y = fit_y, weights = weights, offset = offset, fold = fold,
    lambda = lambda, args = fold_args(path_args)
  )
  fold_fits <- run_folds(seq_len(nfolds), setup, parallel, progress)
  progress$done()
  warn_folds_not_converged(fold_fits)
  preval <- matrix(NA_real_, n, length(lambda))
  for (k in seq_len(nfolds)) {
    preval[fold == k, ] <- fold_fits[[k]]$link
  }

  # score
  scores <- score_folds(preval, response$y, weights, fold, measure, full$family_spec)
  choice <- choose_lambda(lambda, scores$cvm, scores$cvsd, larger_is_better = measure == "auc")

  new_smem_cv(full, scores, choice, measure, family, foldid, preval, keep, this_call)
}

# Measures and their labels; "deviance" is the mean squared error for the
# gaussian family and twice the mean loss for the hinge and check losses.
measure_label <- function(measure, family) {
  switch(measure,
    deviance = switch(family,
      binomial = "Binomial deviance",
      negbin = "Negative binomial deviance",
      hinge = "Hinge loss (x2)",
      quantile = "Check loss (x2)",
      "Mean squared error"
    ),
    mse = "Mean squared error",
    mae = "Mean absolute error",
    class = "Misclassification rate",
    auc = "AUC"
  )
}

resolve_measure <- function(type.measure, family, two_class, call) {
  measure <- if (type.measure == "default") "deviance" else type.measure
  if (!two_class && measure %in% c("class", "auc")) {
    abort_input(
      c(
        "{.code type.measure = \"{measure}\"} needs a two-class response (family {.val binomial} with 0/1 data, or {.val hinge}).",
        x = "The family is {.val {family}}{if (family == 'binomial') ' with proportions or counts' else ''}.",
        i = "Use {.val deviance}, {.val mse} or {.val mae}."
      ),
      call = call
    )
  }
  measure
}

# Arguments in `...` must be named arguments of smem_path() other than the
# data and `trace`; anything else (a typo such as `nfold`) would otherwise be
# lost silently.
check_path_args <- function(args, call) {
  allowed <- setdiff(names(formals(smem_path)), c("x", "y", "trace"))
  labels <- if (is.null(names(args))) rep("", length(args)) else names(args)
  if (any(labels == "")) {
    abort_input(
      c(
        "Arguments in {.arg ...} must be named.",
        x = "{sum(labels == '')} argument{?s} {?has/have} no name.",
        i = "Name the {.fn smem_path} arguments you pass, e.g. {.code family = \"binomial\"}."
      ),
      call = call
    )
  }
  unknown <- setdiff(labels, allowed)
  if (length(unknown) > 0) {
    abort_input(
      c(
        "Arguments in {.arg ...} must be arguments of {.fn smem_path}.",
        x = "Unknown: {.arg {unknown}}.",
        i = "Allowed: {.arg {allowed}}."
      ),
      call = call
    )
  }
  if (anyDuplicated(labels)) {
    abort_input(
      c(
        "Arguments in {.arg ...} must be given once.",
        x = "Repeated: {.arg {unique(labels[duplicated(labels)])}}."
      ),
      call = call
    )
  }
  args
}

check_parallel_backend <- function(call) {
  if (!requireNamespace("future.apply", quietly = TRUE)) {
    abort_input(
      c(
        "{.code parallel = TRUE} needs the {.pkg future.apply} package.",
        x = "It is not installed.",
        i = "Install it with {.code install.packages(\"future.apply\")}, or use {.code parallel = FALSE}."
      ),
      call = call
    )
  }
}

# The smem_path() call equivalent to the full fit, for its `call` field.
path_call <- function(cv_call) {
  out <- cv_call
  out[[1]] <- quote(smem_path)
  own <- c("nfolds", "foldid", "type.measure", "keep", "parallel", "trace")
  out[intersect(names(out), own)] <- NULL
  out
}

is_whole <- function(values) {
  is.numeric(values) && all(is.finite(values)) &&
    all(abs(values - round(values)) < sqrt(.Machine$double.eps))
}

check_nfolds <- function(nfolds, n, call) {
  if (!(is.numeric(nfolds) && length(nfolds) == 1 && is_whole(nfolds)) ||
    nfolds < 3 || nfolds > n) {
    shown <- if (is.numeric(nfolds) && length(nfolds) == 1) format(nfolds) else
      cli::format_inline("{.obj_type_friendly {nfolds}}")
    abort_input(
      c(
        "{.arg nfolds} must be a whole number from 3 to the number of observations ({n}).",
        x = "It is {shown}.",
        i = "5 or 10 folds are usual; {n} fold{?s} {?is/are} leave-one-out."
      ),
      call = call
    )
  }
  as.integer(round(nfolds))
}

check_foldid <- function(foldid, n, call) {
  if (is.factor(foldid) || !is.numeric(foldid) || !is_whole(foldid)) {
    abort_input(
      c(
        "{.arg foldid} must be a vector of whole numbers, the fold of each observation.",
        x = if (is.numeric(foldid)) {
          "It contains values that are not whole numbers, or missing values."
        } else {
          "It is {.obj_type_friendly {foldid}}."
        }
      ),
      call = call
    )
  }
  check_length(foldid, n, "foldid", call)
  distinct <- length(unique(foldid))
  if (distinct < 3) {
    abort_input(
      c(
        "{.arg foldid} must define at least 3 folds.",
        x = "It has {distinct} distinct value{?s}.",
        i = "Cross-validation needs 3 folds or more; 5 or 10 are usual."
      ),
      call = call
    )
  }
  as.integer(round(foldid))
}

check_nfolds_agree <- function(nfolds, foldid, call) {
  distinct <- length(unique(foldid))
  if (!identical(as.double(nfolds), as.double(distinct))) {
    abort_input(
      c(
        "{.arg nfolds} and {.arg foldid} disagree.",
        x = "{.arg nfolds} is {format(nfolds)}; {.arg foldid} has {distinct} fold{?s}.",
        i = "Give only {.arg foldid}; the number of folds is taken from it."
      ),
      call = call
    )
  }
}

# Random folds; for a binary response each class is dealt to the folds in
# turn (rarer class first), so that class counts per fold differ by at most
# one. The order in which folds are dealt is itself random, so that no fold
# is always the one with the extra observation.
make_folds <- function(y, classes, nfolds, call) {
  n <- length(y)
  if (is.null(classes)) {
    return(sample(rep_len(seq_len(nfolds), n)))
  }
  counts <- c(sum(y == 0), sum(y == 1))
  rarer <- which.min(counts) - 1
  if (min(counts) < nfolds && nfolds < n) {
    abort_input(
      c(
        "Too few observations of the rarer class for {nfolds} folds.",
        x = "Class {.val {classes[rarer + 1]}} has {min(counts)} observation{?s}, so some folds would have none.",
        i = if (min(counts) >= 3) {
          "Use at most {min(counts)} folds, or leave-one-out ({.code nfolds = {n}})."
        } else {
          "Only leave-one-out ({.code nfolds = {n}}) is possible, and it needs 2 observations of each class."
        }
      ),
      call = call,
      class = "smem_error_folds"
    )
  }
  shuffle <- function(index) index[sample.int(length(index))]
  dealt <- c(shuffle(which(y == rarer)), shuffle(which(y != rarer)))
  foldid <- integer(n)
  foldid[dealt] <- rep_len(sample.int(nfolds), n)
  foldid
}

# Every training set must be fittable: two observations with positive weight
# and, for a binary response, both classes among them.
check_training_sets <- function(y, classes, weights, fold, call) {
  for (k in seq_len(max(fold))) {
    used <- fold != k & weights > 0
    if (sum(used) < 2) {
      abort_input(
        c(
          "Fold {k} cannot be held out: the rest of the data is too small.",
          x = "Only {sum(used)} other observation{?s} {?has/have} positive weight.",
          i = "Use fewer folds or give more observations positive weight."
        ),
        call = call,
        class = "smem_error_folds"
      )
    }
    if (!is.null(classes) && length(unique(y[used])) < 2) {
      abort_input(
        c(
          "Fold {k} cannot be held out: the rest of the data has only one class.",
          x = "Every observation of class {.val {classes[2 - y[used][1]]}} with positive weight is in fold {k}.",
          i = "Spread that class over several folds (leave {.arg foldid} out for a stratified split), or use fewer folds."
        ),
        call = call,
        class = "smem_error_folds"
      )
    }
  }
}

check_auc_folds <- function(y, weights, fold, call) {
  used <- weights > 0
  events <- tabulate(fold[used & y == 1], max(fold))
  others <- tabulate(fold[used & y == 0], max(fold))
  smallest <- pmin(events, others)
  if (any(smallest == 0)) {
    abort_input(
      c(
        "{.code type.measure = \"auc\"} needs both classes in every fold.",
        x = "{sum(smallest == 0)} of {max(fold)} fold{?s} {?lacks/lack} one class (the first is fold {which(smallest == 0)[1]}).",
        i = "Use fewer folds, or another measure such as {.val deviance}."
      ),
      call = call,
      class = "smem_error_folds"
    )
  }
  if (any(smallest < 5)) {
    cli::cli_warn(
      c(
        "Some folds hold fewer than 5 observations of a class; their AUCs are coarse.",
        i = "The smallest count is {min(smallest)} (fold {which.min(smallest)}). Fewer folds give steadier AUCs."
      ),
      class = c("smem_warning_folds", "smem_warning")
    )
  }
}

# smem_path() arguments for the fold fits: the data-dependent ones and the
# grid are set per fold.
fold_args <- function(path_args) {
  set_per_fold <- c("weights", "offset", "lambda", "nlambda", "lambda.min.ratio", "early.stop")
  path_args[setdiff(names(path_args), set_per_fold)]
}

# Fits the path with fold `k` held out and returns the held-out linear
# predictors (one row per held-out observation, one column per lambda).
# No random numbers are used, so the result depends only on `setup` and `k`.
fit_fold <- function(k, setup) {
  test <- setup$fold == k
  train <- !test
  args <- c(
    list(
      x = setup$x[train, , drop = FALSE],
      y = setup$y[train],
      weights = setup$weights[train],
      offset = if (!is.null(setup$offset)) setup$offset[train],
      lambda = setup$lambda,
      early.stop = FALSE
    ),
    setup$args
  )
  # a fold's convergence warning is counted here and reported once for all
  # folds by smem_cv()
  fit <- withCallingHandlers(
    do.call(smem_path, args),
    smem_warning_convergence = function(w) tryInvokeRestart("muffleWarning")
  )
  link <- stats::predict(
    fit, setup$x[test, , drop = FALSE],
    type = "link",
    newoffset = if (!is.null(setup$offset)) setup$offset[test]
  )
  list(link = unname(as.matrix(link)), not_converged = sum(!fit$converged))
}

# One warning for the folds whose paths did not converge at every lambda.
warn_folds_not_converged <- function(fold_fits) {
  counts <- vapply(fold_fits, `[[`, numeric(1), "not_converged")
  if (all(counts == 0)) {
    return(invisible())
  }
  cli::cli_warn(
    c(
      "In {sum(counts > 0)} of {length(counts)} fold{?s}, the path did not converge at every penalty level.",
      x = "{sum(counts)} fold fit{?s} in all stopped short of {.arg tol} (largest count in one fold: {max(counts)}).",
      i = "Their out-of-fold predictions are used as they stood; raise {.arg maxit} or {.arg tol} in {.fn smem_control} to change that."
    ),
    class = c("smem_warning_convergence", "smem_warning")
  )
}

run_folds <- function(folds, setup, parallel, progress) {
  if (!parallel) {
    return(lapply(folds, function(k) {
      link <- fit_fold(k, setup)
      progress$update(1)
      link
    }))
  }
  # one future_lapply() call per batch of folds when the progress bar is
  # shown, so that it can move between batches; one call otherwise
  size <- if (progress$shown) max(1L, future::nbrOfWorkers()) else length(folds)
  batches <- split(folds, ceiling(seq_along(folds) / size))
  out <- list()
  for (batch in batches) {
    links <- future.apply::future_lapply(
      batch, fit_fold,
      setup = setup, future.seed = TRUE
    )
    out <- c(out, links)
    progress$update(length(batch))
  }
  out
}

# Progress over the full fit and the folds; does nothing unless shown.
cv_progress <- function(nfolds, show, envir) {
  if (!show) {
    return(list(shown = FALSE, update = function(by) NULL, done = function() NULL))
  }
  id <- cli::cli_progress_bar(
    total = nfolds + 1,
    format = "Cross-validation {cli::pb_bar} {cli::pb_current}/{cli::pb_total} paths {cli::pb_eta}",
    .envir = envir
  )
  list(
    shown = TRUE,
    update = function(by) cli::cli_progress_update(inc = by, id = id, .envir = envir),
    done = function() cli::cli_progress_done(id = id, .envir = envir)
  )
}

# Per-observation values of a measure (n x L), for all but "auc"; `y` is
# 0/1 for a two-class response.
pointwise_measure <- function(measure, family, y, link) {
  name <- family$name
  if (name == "gaussian") {
    return(switch(measure,
      deviance = ,
      mse = (y - link)^2,
      mae = abs(y - link)
    ))
  }
  if (name == "binomial") {
    p <- stats::plogis(link)
    return(switch(measure,
      deviance = {
        clamped <- pmin(pmax(p, 1e-5), 1 - 1e-5)
        2 * (y * log(ifelse(y > 0, y, 1) / clamped) +
          (1 - y) * log(ifelse(y < 1, 1 - y, 1) / (1 - clamped)))
      },
      mse = (y - p)^2,
      mae = abs(y - p),
      class = (p > 0.5) != (y == 1)
    ) + 0)
  }
  if (name == "hinge") {
    y <- 2 * y - 1
    return(switch(measure,
      deviance = 2 * pmax(0 * link, 1 - y * link),
      mse = (y - link)^2,
      mae = abs(y - link),
      class = (link > 0) != (y > 0)
    ) + 0)
  }
  family$band <- 0
  fitted <- family_mean(family, link)
  switch(measure,
    deviance = 2 * (family_loss(family, y, link) - family_saturated_loss(family, y)),
    mse = (y - fitted)^2,
    mae = abs(y - fitted)
  )
}

# Weighted area under the ROC curve of `score` for the 0/1 response `y`:
# the weighted share of (event, non-event) pairs ranked correctly, ties
# counting one half.
weighted_auc <- function(score, y, w) {
  levels <- sort(unique(score))
  group <- factor(match(score, levels), levels = seq_along(levels))
  events <- as.vector(tapply(w * y, group, sum))
  others <- as.vector(tapply(w * (1 - y), group, sum))
  below <- cumsum(others) - others
  sum(events * (below + others / 2)) / (sum(events) * sum(others))
}

# Fold means (K x L) and their summary: cvm, cvsd.
score_folds <- function(preval, y, weights, fold, measure, family) {
  nfolds <- max(fold)
  fold_weight <- vapply(seq_len(nfolds), function(k) sum(weights[fold == k]), numeric(1))
  fold_means <- matrix(NA_real_, nfolds, ncol(preval))
  for (k in seq_len(nfolds)) {
    rows <- fold == k & weights > 0
    if (!any(rows)) next
    if (measure == "auc") {
      fold_means[k, ] <- apply(preval[rows, , drop = FALSE], 2, weighted_auc,
        y = y[rows], w = weights[rows]
      )
    } else {
      values <- pointwise_measure(measure, family, y[rows], preval[rows, , drop = FALSE])
      fold_means[k, ] <- colSums(weights[rows] * values) / sum(weights[rows])
    }
  }
  counted <- fold_weight > 0
  share <- fold_weight[counted] / sum(fold_weight[counted])
  means <- fold_means[counted, , drop = FALSE]
  cvm <- colSums(share * means)
  spread <- colSums(share * sweep(means, 2, cvm)^2)
  cvsd <- sqrt(spread / (sum(counted) - 1))
  list(cvm = cvm, cvsd = cvsd)
}

# lambda.min: best cvm (the largest lambda among ties); lambda.1se: the
# largest lambda whose cvm is within one cvsd (taken at the best) of the best.
choose_lambda <- function(lambda, cvm, cvsd, larger_is_better) {
  sign <- if (larger_is_better) -1 else 1
  loss <- sign * cvm
  best <- which(loss == min(loss))[1]
  bound <- loss[best] + cvsd[best]
  within <- which(loss <= bound)
  one_se <- within[which.max(lambda[within])]
  list(
    lambda.min = lambda[best],
    lambda.1se = lambda[one_se],
    index = matrix(c(best, one_se), 2, 1, dimnames = list(c("min", "1se"), "Lambda"))
  )
}

new_smem_cv <- function(full, scores, choice, measure, family, foldid, preval,
                        keep, call) {
  out <- list(
    lambda = full$lambda,
    cvm = scores$cvm,
    cvsd = scores$cvsd,
    cvup = scores$cvm + scores$cvsd,
    cvlo = scores$cvm - scores$cvsd,
    nzero = full$df,
    name = stats::setNames(measure_label(measure, family), measure),
    smem.fit = full,
    lambda.min = choice$lambda.min,
    lambda.1se = choice$lambda.1se,
    index = choice$index,
    foldid = foldid
  )
  if (keep) {
    dimnames(preval) <- list(NULL, colnames(full$beta))
    out$fit.preval <- preval
  }
  out$call <- call
  structure(out, class = "smem_cv")
}
