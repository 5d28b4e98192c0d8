# Reproduces the experiments of Polson and Sokolov (2026), "Fast Compute for
# ML Optimization" (arXiv 2602.14280), with smem, and adds the solvers a
# statistician would use instead (L-BFGS, glmnet).
#
#   Rscript bench/paper.R [--quick] [--out=vignettes/paper-results.rds] [--md=FILE]
#
# Run from the repository root with smem installed (R_LIBS may point to the
# library that holds it). It prints progress and Markdown tables as it goes,
# and writes every number and (thinned) convergence trace to the .rds file
# read by vignettes/reproducing-the-paper.Rmd; with --md=FILE the tables are
# also written to FILE. The full run (p = 20, 50, 100, 200, 500 in two
# settings, and two 40-lambda paths) took 5.5 minutes on a shared 2-core
# machine; --quick (p = 20, 50 and a small path, same code path) about 1
# minute, a quarter of it compiling the helpers.
#
# The experiment, with every choice made here:
#
# * Data. For each p, n = 10 p (setting "n = 10p") or n = 2000 ("n = 2000").
#   Rows of x are Gaussian with mean 0 and covariance S = Q diag(e) Q', Q a
#   uniformly random orthogonal matrix (QR of a Gaussian matrix, signs fixed)
#   and e log-spaced from 1 down to 1e-4 (condition number 1e4). The true
#   coefficients are Gaussian, rescaled so that b'Sb = 9 (the linear
#   predictor has standard deviation 3 in the population); true intercept 0;
#   y ~ Bernoulli(plogis(x b)). One seed per problem (set from p and n), so
#   each problem is the same in --quick and full runs.
#
# * Objective. F(b0, b) = mean_i [log(1 + e^eta_i) - y_i eta_i] + lambda/2 ||b||^2,
#   eta = b0 + x b, lambda = 1e-4, intercept unpenalized: smem's objective with
#   family = "binomial", penalty = "ridge", standardize = FALSE (checked below
#   by computing F in R at smem's coefficients). Every method is scored by
#   the same R function F at its returned coefficients. F* is a Newton solve
#   (bench/paper-helpers.cpp) run until no step lowers F: machine precision.
#   Gaps F - F* below 1e-14 (about 30 units in the last place of F* ~ 0.33,
#   the size of the differences between two correct ways of computing F) are
#   at rounding level and shown as "<1e-14"; ratios with such a gap in the
#   denominator are lower bounds (">").
#
# * Budgets. Every iterative method may use T = 200 iterations (fixed before
#   any run; a round number well above what SM-EM needs here). SM-EM stops
#   earlier when it has converged by smem's own default rule (tol = 1e-7 on
#   the optimality conditions; objective gap of order 1e-14); Adam always
#   runs all T. The time budget is the wall time of the accelerated SM-EM run
#   (polish = FALSE); Adam runs that long per learning rate.
#
# * Adam. Full batch, in C++ (bench/paper-helpers.cpp), betas (0.9, 0.999),
#   eps = 1e-8, bias-corrected, from 0, constant learning rate from the grid
#   10^(-4, -11/3, ..., 0) (13 values). Per problem and budget the rate with
#   the lowest final objective is chosen (the final iterate, not the best
#   one seen). The time budget is measured inside C++ from the start of the
#   Adam loop, so R's call overhead is not charged to Adam (it is to smem).
#
# * SM-EM. smem(x, y, "binomial", "ridge", lambda, standardize = FALSE) with
#   (a) accelerate = FALSE, polish = FALSE: plain SM-EM (Polya-Gamma curvature);
#   (b) accelerate = TRUE, polish = FALSE: Nesterov extrapolation with restart;
#   (c) smem's defaults: Bohning curvature EM steps plus the Newton polish
#   (not a pure EM method; reported separately). SQUAREM is not offered by
#   smem. Their objective traces are smem's own per-iteration values; for
#   curves against time every iteration of a run is assumed to cost the same
#   (its total time divided by its iterations).
#
# * Peers. L-BFGS: optim(method = "L-BFGS-B") with the analytic gradient in
#   R, factr = 0, pgtol = 0, maxit = 1000 (it stops when no step lowers F);
#   its trace is recorded at every function evaluation, and its "iteration
#   budget" point is after 200 evaluations. glmnet: alpha = 0, the same
#   lambda (glmnet's binomial objective is the same F when
#   standardize = FALSE), thresh = 1e-12.
#
# * Monotonicity. A plain SM-EM written independently (em_plain_fit in
#   bench/paper-helpers.cpp) takes every EM step with no safeguard; the
#   largest rise of its objective is reported, and its trace compared with
#   smem's (which refuses a step that would not lower F).
#
# * Paths. 40 lambdas, log-spaced: ridge from 1 to 1e-4; lasso from
#   lambda_max (the smallest lambda with all coefficients zero) to
#   1e-4 lambda_max (glmnet's default range for n > p). smem_path(...,
#   lambda = grid, early.stop = FALSE) with warm starts and shared
#   statistics, against 40 independent tuned-Adam runs (cold start, T = 200,
#   the 13 learning rates, best per lambda; for the lasso Adam uses the
#   subgradient sign(b), 0 at 0, of the non-smooth penalty) and against
#   glmnet on the same grid (thresh 1e-7, its default, and 1e-12). Reference
#   per lambda: Newton (ridge); the lowest objective found by any method,
#   including a smem_path run at tol = 1e-10 (lasso).
#
# * Timing. Wall time (elapsed). A run shorter than 0.5 s is repeated in a
#   batch lasting about 0.5 s and the mean kept (system.time() resolves only
#   milliseconds). One thread each (reference BLAS).

suppressPackageStartupMessages({
  library(smem)
  library(glmnet)
})

# --- options -----------------------------------------------------------------

args <- commandArgs(trailingOnly = TRUE)
option <- function(name, default) {
  hit <- grep(paste0("^--", name, "="), args, value = TRUE)
  if (length(hit) == 0) default else sub(paste0("^--", name, "="), "", hit[1])
}
quick <- "--quick" %in% args
out_file <- option("out", file.path("vignettes", "paper-results.rds"))
md_file <- option("md", "")

script_dir <- local({
  file <- sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE))
  if (length(file) == 1) dirname(normalizePath(file)) else "bench"
})

settings <- list(
  lambda = 1e-4,
  condition = 1e4,
  sd_eta = 3,
  budget = 200L,
  rates = 10^seq(-4, 0, by = 1 / 3),
  p = if (quick) c(20, 50) else c(20, 50, 100, 200, 500),
  designs = c("n = 10p", "n = 2000"),
  path_problems = if (quick) {
    list(c(n = 200, p = 20))
  } else {
    list(c(n = 1000, p = 100), c(n = 2000, p = 200))
  },
  nlambda = 40L,
  gap_floor = 1e-14,
  lbfgs_maxit = 1000L,
  glmnet_thresh = 1e-12
)

started <- Sys.time()
say <- function(...) {
  cat(sprintf("[%6.1f s] ", as.numeric(difftime(Sys.time(), started, units = "secs"))),
      sprintf(...), "\n", sep = "")
  utils::flush.console()
}

# --- compiled helpers ---------------------------------------------------------

say("compiling %s", file.path(script_dir, "paper-helpers.cpp"))
Sys.setenv(PKG_CXXFLAGS = "-Wno-ignored-attributes")
Rcpp::sourceCpp(
  file.path(script_dir, "paper-helpers.cpp"),
  cacheDir = file.path(tempdir(), "paper-cpp")
)

# --- data ---------------------------------------------------------------------

# Rows N(0, Q diag(e) Q'), e log-spaced from 1 to 1/condition; coefficients
# scaled so that the population sd of the linear predictor is sd_eta.
make_problem <- function(n, p, condition = settings$condition, sd_eta = settings$sd_eta) {
  set.seed(1000 * p + n)
  decomposition <- qr(matrix(rnorm(p * p), p, p))
  rotation <- qr.Q(decomposition) %*% diag(sign(diag(qr.R(decomposition))), p)
  spectrum <- exp(seq(0, -log(condition), length.out = p))
  x <- matrix(rnorm(n * p), n, p) %*% (sqrt(spectrum) * t(rotation))
  beta <- rnorm(p)
  beta <- beta * sd_eta / sqrt(sum(spectrum * drop(crossprod(rotation, beta))^2))
  eta <- drop(x %*% beta)
  y <- as.numeric(rbinom(n, 1, plogis(eta)))
  list(x = x, y = y, n = n, p = p, sd_eta_sample = sd(eta),
       condition_sample = kappa(crossprod(scale(x, scale = FALSE)), exact = TRUE))
}

# --- objective ----------------------------------------------------------------

objective <- function(a0, beta, x, y, lambda, lasso = FALSE) {
  eta <- drop(a0 + x %*% beta)
  loss <- mean(pmax(eta, 0) + log1p(exp(-abs(eta))) - y * eta)
  loss + lambda * if (lasso) sum(abs(beta)) else sum(beta^2) / 2
}

# --- small utilities ----------------------------------------------------------

# Wall time of f(): one call when it takes 0.5 s or more; otherwise the mean
# over a batch of repeated calls lasting about 0.5 s in all (at most 200),
# since system.time() resolves only milliseconds.
timed <- function(f) {
  first <- system.time(value <- f())[["elapsed"]]
  if (first >= 0.5) {
    return(list(value = value, seconds = first))
  }
  reps <- min(200L, as.integer(ceiling(0.5 / max(first, 0.0025))))
  total <- system.time(for (r in seq_len(reps)) value <- f())[["elapsed"]]
  list(value = value, seconds = total / reps)
}

quiet <- function(expr) suppressWarnings(expr)

# Indices kept when a trace is thinned for the saved results: all of the
# first 30, then about 90 more log-spaced ones, and the last.
thin_index <- function(length) {
  if (length <= 120) {
    return(seq_len(length))
  }
  sort(unique(c(1:30, round(exp(seq(log(31), log(length), length.out = 90))), length)))
}

thin <- function(iteration, seconds, gap) {
  keep <- thin_index(length(gap))
  data.frame(
    iteration = iteration[keep],
    seconds = signif(seconds[keep], 4),
    gap = signif(gap[keep], 4)
  )
}

first_reaching <- function(gap, values, level) {
  hit <- which(gap <= level)
  if (length(hit) == 0) NA_real_ else values[hit[1]]
}

fmt_gap <- function(gap, floor = settings$gap_floor) {
  text <- ifelse(gap < floor, paste0("<", format(floor)), formatC(gap, format = "e", digits = 2))
  ifelse(is.na(gap), "NA", text)
}

# Ratio a / b of gaps, as a lower bound when b is at rounding level.
fmt_ratio <- function(a, b, floor = settings$gap_floor) {
  if (is.na(a) || is.na(b)) return("NA")
  if (a < floor && b < floor) return("both at rounding")
  if (a < floor) return(paste0("<", formatC(floor / b, format = "e", digits = 1)))
  value <- a / max(b, floor)
  text <- if (value >= 100) {
    formatC(value, format = "e", digits = 1)
  } else {
    formatC(value, format = "f", digits = 2)
  }
  if (b < floor) paste0(">", text) else text
}

md_table <- function(frame) {
  header <- paste0("| ", paste(names(frame), collapse = " | "), " |")
  rule <- paste0("|", paste(rep("---", ncol(frame)), collapse = "|"), "|")
  rows <- apply(frame, 1, function(r) paste0("| ", paste(r, collapse = " | "), " |"))
  c(header, rule, rows)
}

tables_out <- character(0)
show_table <- function(title, frame) {
  lines <- c("", paste0("### ", title), "", md_table(frame), "")
  cat(lines, sep = "\n")
  tables_out <<- c(tables_out, lines)
}

# --- one problem: every method on the ridge objective -------------------------

run_problem <- function(design, p) {
  n <- if (design == "n = 10p") 10 * p else 2000
  data <- make_problem(n, p)
  x <- data$x
  y <- data$y
  lambda <- settings$lambda
  budget <- settings$budget
  say("%s, p = %d, n = %d: sample sd(eta) %.2f, condition of centred X'X %.3g",
      design, p, n, data$sd_eta_sample, data$condition_sample)

  # reference optimum
  reference <- timed(function() newton_fit(x, y, lambda))
  newton <- reference$value
  best <- objective(newton$theta[1], newton$theta[-1], x, y, lambda)
  say("  Newton: F* = %.16f after %d steps (%.2f s), largest gradient entry %.1e",
      best, newton$iterations, reference$seconds, newton$gradient)

  # smem: plain, accelerated, defaults
  smem_run <- function(accelerate, control) {
    function() quiet(smem(x, y, family = "binomial", penalty = "ridge", lambda = lambda,
                          standardize = FALSE, accelerate = accelerate, control = control))
  }
  variants <- list(
    plain = smem_run(FALSE, smem_control(polish = FALSE, maxit = budget)),
    accelerated = smem_run(TRUE, smem_control(polish = FALSE, maxit = budget)),
    default = smem_run(TRUE, smem_control())
  )
  sm <- lapply(variants, timed)
  sm_rows <- lapply(names(sm), function(name) {
    fit <- sm[[name]]$value
    value <- objective(fit$a0, fit$beta, x, y, lambda)
    list(name = name, fit = fit, seconds = sm[[name]]$seconds, objective = value,
         reported = utils::tail(fit$objective, 1), iterations = fit$iter, converged = fit$converged)
  })
  names(sm_rows) <- names(sm)
  for (r in sm_rows) {
    say("  smem %-11s: %3d iterations, %.3f s, gap %s, |F(R) - smem's objective| %.1e%s",
        r$name, r$iterations, r$seconds, fmt_gap(r$objective - best),
        abs(r$objective - r$reported), if (r$converged) "" else " (not converged)")
  }
  time_budget <- sm_rows$accelerated$seconds

  # monotonicity: independent plain SM-EM with no safeguard
  em <- em_plain_fit(x, y, lambda, budget)
  smem_trace <- sm_rows$plain$fit$objective
  common <- min(length(em$objective), length(smem_trace))
  monotone <- list(
    largest_rise_independent = max(diff(em$objective)),
    largest_rise_smem = max(diff(smem_trace)),
    trace_difference = max(abs(em$objective[1:common] - smem_trace[1:common])),
    independent_iterations = length(em$objective) - 1
  )
  say(paste(
    "  independent plain EM: %d steps, largest rise %.1e;",
    "smem's plain trace: largest rise %.1e, differs by at most %.1e"
  ),
      monotone$independent_iterations, monotone$largest_rise_independent,
      monotone$largest_rise_smem, monotone$trace_difference)

  # Adam over the learning-rate grid: one run per rate serves both budgets
  adam_over <- function(rates) lapply(rates, function(rate) {
    run <- adam_fit(x, y, lambda, FALSE, rate, budget, time_budget)
    trace <- run$objective
    at_budget <- if (length(trace) > budget) trace[budget + 1] else Inf
    within <- which(run$seconds <= time_budget)
    at_time <- trace[utils::tail(within, 1)]
    final <- objective(run$theta[1], run$theta[-1], x, y, lambda)
    list(rate = rate, trace = trace, seconds = run$seconds, at_budget = at_budget,
         theta_budget = run$theta_maxit, theta_time = run$theta_seconds,
         at_time = at_time, iterations_in_time = utils::tail(within, 1) - 1,
         check = if (is.finite(final)) abs(final - utils::tail(trace, 1)) else 0)
  })
  final_values <- function(runs, what) {
    v <- vapply(runs, `[[`, numeric(1), what)
    v[!is.finite(v)] <- Inf
    v
  }
  adam_runs <- adam_over(settings$rates)
  at_budget <- final_values(adam_runs, "at_budget")
  at_time <- final_values(adam_runs, "at_time")
  pick_budget <- which.min(at_budget)
  pick_time <- which.min(at_time)
  adam_budget <- adam_runs[[pick_budget]]
  adam_time <- adam_runs[[pick_time]]
  say(paste(
    "  Adam, %d iterations: best rate %.3g, gap %s; in %.3f s (%d iterations):",
    "best rate %.3g, gap %s; largest |F(R) - F(C++)| %.1e"
  ),
      budget, adam_budget$rate, fmt_gap(adam_budget$at_budget - best), time_budget,
      adam_time$iterations_in_time, adam_time$rate, fmt_gap(adam_time$at_time - best),
      max(vapply(adam_runs, `[[`, numeric(1), "check")))

  # When the best rate is the largest of the grid, would larger ones have
  # helped Adam? Checked (and reported) only; the tables keep the grid.
  top <- length(settings$rates)
  edge <- NULL
  if (pick_budget == top || pick_time == top) {
    extra <- adam_over(10^c(1 / 3, 2 / 3, 1))
    edge <- data.frame(
      design = design, p = p,
      budget_at_edge = pick_budget == top, time_at_edge = pick_time == top,
      extended_budget_gap = min(final_values(extra, "at_budget"), at_budget[pick_budget]) - best,
      extended_time_gap = min(final_values(extra, "at_time"), at_time[pick_time]) - best
    )
    say("  best rate at the top of the grid; with rates up to 10: gap %s (iterations), %s (time)",
        fmt_gap(edge$extended_budget_gap), fmt_gap(edge$extended_time_gap))
  }

  # L-BFGS with the analytic gradient, every evaluation recorded
  x1 <- cbind(1, x)
  lbfgs_values <- numeric(0)
  lbfgs_clock <- numeric(0)
  lbfgs_start <- 0
  fn <- function(theta) {
    eta <- drop(x1 %*% theta)
    value <- mean(pmax(eta, 0) + log1p(exp(-abs(eta))) - y * eta) + lambda / 2 * sum(theta[-1]^2)
    lbfgs_values <<- c(lbfgs_values, value)
    lbfgs_clock <<- c(lbfgs_clock, proc.time()[["elapsed"]] - lbfgs_start)
    value
  }
  gr <- function(theta) {
    eta <- drop(x1 %*% theta)
    g <- drop(crossprod(x1, plogis(eta) - y)) / n
    g[-1] <- g[-1] + lambda * theta[-1]
    g
  }
  lbfgs_once <- function() {
    lbfgs_values <<- numeric(0)
    lbfgs_clock <<- numeric(0)
    lbfgs_start <<- proc.time()[["elapsed"]]
    stats::optim(rep(0, p + 1), fn, gr, method = "L-BFGS-B",
                 control = list(maxit = settings$lbfgs_maxit, factr = 0, pgtol = 0))
  }
  lbfgs <- timed(lbfgs_once)
  lbfgs_final <- objective(lbfgs$value$par[1], lbfgs$value$par[-1], x, y, lambda)
  lbfgs_running <- cummin(lbfgs_values)
  lbfgs_at_budget <- lbfgs_running[min(budget, length(lbfgs_running))]
  within <- which(lbfgs_clock <= time_budget)
  lbfgs_at_time <- if (length(within) > 0) {
    lbfgs_running[utils::tail(within, 1)]
  } else {
    lbfgs_values[1]
  }
  say("  L-BFGS: %d evaluations, %.3f s, gap %s (after %d evaluations %s; in the time budget %s)",
      length(lbfgs_values), lbfgs$seconds, fmt_gap(lbfgs_final - best), budget,
      fmt_gap(lbfgs_at_budget - best), fmt_gap(lbfgs_at_time - best))

  # glmnet on the same objective
  gl <- timed(function() {
    glmnet(x, y, family = "binomial", alpha = 0, lambda = lambda, standardize = FALSE,
           control = list(thresh = settings$glmnet_thresh, maxit = 1e7))
  })
  glmnet_value <- objective(gl$value$a0[1], as.numeric(gl$value$beta[, 1]), x, y, lambda)
  say("  glmnet: %.3f s, %d passes, gap %s",
      gl$seconds, gl$value$npasses, fmt_gap(glmnet_value - best))

  # summary row and traces
  gap <- function(v) v - best
  sm_trace <- function(r) {
    k <- seq_along(r$fit$objective) - 1
    thin(k, k * r$seconds / max(1, r$iterations), gap(r$fit$objective))
  }
  level <- 1e-6 * best
  # relative error of the coefficients (intercept included) against Newton's
  coef_error <- function(theta) sqrt(sum((theta - newton$theta)^2) / sum(newton$theta^2))
  sm_theta <- function(fit) c(fit$a0, fit$beta)
  iterations_to <- function(trace, level) {
    first_reaching(gap(trace), seq_along(trace) - 1, level)
  }
  adam_b <- adam_budget$trace[seq_len(budget + 1)]
  row <- data.frame(
    design = design, p = p, n = n, F_star = best, newton_steps = newton$iterations,
    newton_seconds = reference$seconds,
    plain_iter = sm_rows$plain$iterations, plain_seconds = sm_rows$plain$seconds,
    plain_gap = gap(sm_rows$plain$objective), plain_converged = sm_rows$plain$converged,
    acc_iter = sm_rows$accelerated$iterations, acc_seconds = sm_rows$accelerated$seconds,
    acc_gap = gap(sm_rows$accelerated$objective), acc_converged = sm_rows$accelerated$converged,
    default_iter = sm_rows$default$iterations, default_seconds = sm_rows$default$seconds,
    default_gap = gap(sm_rows$default$objective),
    smem_reported_difference = max(vapply(
      sm_rows, function(r) abs(r$objective - r$reported), numeric(1)
    )),
    adam_rate_budget = adam_budget$rate, adam_budget_loss = adam_budget$at_budget,
    adam_budget_gap = gap(adam_budget$at_budget),
    adam_budget_seconds = adam_budget$seconds[budget + 1],
    adam_rate_time = adam_time$rate, adam_time_loss = adam_time$at_time,
    adam_time_gap = gap(adam_time$at_time), adam_time_iterations = adam_time$iterations_in_time,
    time_budget = time_budget,
    acc_coef_error = coef_error(sm_theta(sm_rows$accelerated$fit)),
    adam_budget_coef_error = coef_error(adam_budget$theta_budget),
    adam_time_coef_error = coef_error(adam_time$theta_time),
    adam_check = max(vapply(adam_runs, `[[`, numeric(1), "check")),
    lbfgs_evaluations = length(lbfgs_values), lbfgs_seconds = lbfgs$seconds,
    lbfgs_gap = gap(lbfgs_final), lbfgs_budget_gap = gap(lbfgs_at_budget),
    lbfgs_time_gap = gap(lbfgs_at_time),
    glmnet_seconds = gl$seconds, glmnet_gap = gap(glmnet_value),
    glmnet_passes = gl$value$npasses,
    rise_independent = monotone$largest_rise_independent,
    rise_smem = monotone$largest_rise_smem, trace_difference = monotone$trace_difference,
    independent_iterations = monotone$independent_iterations,
    # iterations and seconds to reach a relative gap of 1e-6
    acc_iter_1e6 = iterations_to(sm_rows$accelerated$fit$objective, level),
    plain_iter_1e6 = iterations_to(sm_rows$plain$fit$objective, level),
    adam_iter_1e6 = first_reaching(gap(adam_time$trace), seq_along(adam_time$trace) - 1, level),
    adam_seconds_1e6 = first_reaching(gap(adam_time$trace), adam_time$seconds, level),
    lbfgs_seconds_1e6 = first_reaching(gap(lbfgs_running), lbfgs_clock, level),
    stringsAsFactors = FALSE
  )
  adam_grid <- data.frame(
    design = design, p = p, rate = settings$rates,
    gap_budget = at_budget - best, gap_time = at_time - best
  )
  traces <- list(
    plain = sm_trace(sm_rows$plain),
    accelerated = sm_trace(sm_rows$accelerated),
    default = sm_trace(sm_rows$default),
    adam_budget = thin(seq_along(adam_b) - 1, adam_budget$seconds[seq_along(adam_b)], gap(adam_b)),
    adam_time = thin(seq_along(adam_time$trace) - 1, adam_time$seconds, gap(adam_time$trace)),
    lbfgs = thin(seq_along(lbfgs_running), lbfgs_clock, gap(lbfgs_running)),
    glmnet = data.frame(iteration = NA, seconds = gl$seconds, gap = gap(glmnet_value))
  )
  list(row = row, adam_grid = adam_grid, traces = traces, edge = edge)
}

# --- path experiment ----------------------------------------------------------

run_path <- function(n, p, penalty) {
  data <- make_problem(n, p)
  x <- data$x
  y <- data$y
  lasso <- penalty == "lasso"
  if (lasso) {
    lambda_max <- max(abs(crossprod(x, y - mean(y)))) / n
    grid <- exp(seq(log(lambda_max), log(1e-4 * lambda_max), length.out = settings$nlambda))
  } else {
    grid <- exp(seq(log(1), log(1e-4), length.out = settings$nlambda))
  }
  say("path: %s, n = %d, p = %d, lambda from %.3g to %.3g", penalty, n, p, max(grid), min(grid))
  value_at <- function(a0, beta) {
    vapply(seq_along(grid), function(k) {
      objective(a0[k], beta[, k], x, y, grid[k], lasso)
    }, numeric(1))
  }
  path_run <- function(control) {
    function() quiet(smem_path(x, y, family = "binomial", penalty = penalty, lambda = grid,
                               standardize = FALSE, early.stop = FALSE, control = control))
  }
  smem_variants <- list(
    `smem_path, defaults (Bohning EM + Newton polish)` = smem_control(),
    `smem_path, SM-EM only, Bohning curvature (shared X'X)` =
      smem_control(polish = FALSE, curvature = "bohning"),
    `smem_path, SM-EM only, Polya-Gamma curvature` = smem_control(polish = FALSE, curvature = "pg")
  )
  results <- lapply(names(smem_variants), function(label) {
    run <- timed(path_run(smem_variants[[label]]))
    fit <- run$value
    list(label = label, seconds = run$seconds,
         values = value_at(fit$a0, as.matrix(fit$beta)),
         iterations = sum(fit$iter), converged = sum(fit$converged))
  })
  glmnet_run <- function(thresh) {
    function() glmnet(x, y, family = "binomial", alpha = if (lasso) 1 else 0, lambda = grid,
                      standardize = FALSE, control = list(thresh = thresh, maxit = 1e7))
  }
  for (thresh in c(1e-7, 1e-12)) {
    run <- timed(glmnet_run(thresh))
    results[[length(results) + 1]] <- list(
      label = sprintf("glmnet, thresh = %g", thresh), seconds = run$seconds,
      values = value_at(run$value$a0, as.matrix(run$value$beta)),
      iterations = run$value$npasses, converged = length(run$value$lambda)
    )
  }

  # 40 independent tuned-Adam runs
  adam_start <- proc.time()[["elapsed"]]
  adam_best <- numeric(length(grid))
  adam_best_seconds <- 0
  for (k in seq_along(grid)) {
    finals <- vapply(settings$rates, function(rate) {
      run <- adam_fit(x, y, grid[k], lasso, rate, settings$budget, 0)
      value <- if (run$diverged) {
        Inf
      } else {
        objective(run$theta[1], run$theta[-1], x, y, grid[k], lasso)
      }
      c(value, utils::tail(run$seconds, 1))
    }, numeric(2))
    pick <- which.min(finals[1, ])
    adam_best[k] <- finals[1, pick]
    adam_best_seconds <- adam_best_seconds + finals[2, pick]
  }
  adam_seconds <- proc.time()[["elapsed"]] - adam_start
  results[[length(results) + 1]] <- list(
    label = sprintf(
      "Adam, %d rates x %d iterations per lambda (tuned protocol)",
      length(settings$rates), settings$budget
    ),
    seconds = adam_seconds, values = adam_best,
    iterations = length(grid) * length(settings$rates) * settings$budget,
    converged = NA
  )
  results[[length(results) + 1]] <- list(
    label = sprintf("Adam, best rate only (%d iterations per lambda)", settings$budget),
    seconds = adam_best_seconds, values = adam_best, iterations = length(grid) * settings$budget,
    converged = NA
  )

  # reference per lambda
  if (lasso) {
    tight <- quiet(smem_path(x, y, family = "binomial", penalty = penalty, lambda = grid,
                             standardize = FALSE, early.stop = FALSE,
                             control = smem_control(tol = 1e-10)))
    reference <- pmin(value_at(tight$a0, as.matrix(tight$beta)),
                      do.call(pmin, lapply(results, `[[`, "values")))
    reference_label <- "lowest objective found (smem_path at tol = 1e-10 and every method above)"
  } else {
    reference <- vapply(grid, function(l) newton_fit(x, y, l)$objective, numeric(1))
    reference_label <- "Newton solve per lambda"
  }
  smem_seconds <- results[[1]]$seconds
  rows <- do.call(rbind, lapply(results, function(r) {
    gaps <- r$values - reference
    data.frame(
      penalty = penalty, n = n, p = p, method = r$label, seconds = r$seconds,
      ratio_to_smem = r$seconds / smem_seconds, adam_ratio = adam_seconds / r$seconds,
      largest_gap = max(gaps), median_gap = stats::median(gaps),
      work = r$iterations, fitted = r$converged, stringsAsFactors = FALSE
    )
  }))
  for (i in seq_len(nrow(rows))) {
    say("  %-62s %8.3f s  largest gap %s",
        rows$method[i], rows$seconds[i], fmt_gap(rows$largest_gap[i]))
  }
  list(rows = rows, lambda = grid, reference = reference, reference_label = reference_label,
       gaps = lapply(stats::setNames(results, vapply(results, `[[`, "", "label")),
                     function(r) signif(r$values - reference, 4)))
}

# --- run ----------------------------------------------------------------------

say("smem %s, glmnet %s, %s, %s", as.character(packageVersion("smem")),
    as.character(packageVersion("glmnet")), R.version.string,
    if (quick) "quick run" else "full run")

problems <- list()
for (design in settings$designs) {
  for (p in settings$p) {
    problems[[paste(design, p)]] <- run_problem(design, p)
  }
}
rows <- do.call(rbind, lapply(problems, `[[`, "row"))
rownames(rows) <- NULL

paths <- list()
for (problem in settings$path_problems) {
  for (penalty in c("ridge", "lasso")) {
    paths[[paste(penalty, problem[["p"]])]] <- run_path(problem[["n"]], problem[["p"]], penalty)
  }
}
path_rows <- do.call(rbind, lapply(paths, `[[`, "rows"))
rownames(path_rows) <- NULL

# --- tables -------------------------------------------------------------------

f3 <- function(v) formatC(v, format = "f", digits = 3)
fmt_e <- function(v) formatC(v, format = "e", digits = 1)
with_work <- function(gap, work, seconds) {
  sprintf("%s (%d, %s s)", fmt_gap(gap), work, f3(seconds))
}
loss_ratio <- function(a, b) formatC(a / b, format = "f", digits = 6)
edges <- do.call(rbind, lapply(problems, `[[`, "edge"))
rate_label <- function(rate) {
  ifelse(rate == max(settings$rates), paste0(signif(rate, 2), "*"), as.character(signif(rate, 2)))
}

show_table(
  paste(
    "Iteration budget: Adam (best of 13 rates, 200 iterations)",
    "against accelerated SM-EM (at most 200)"
  ),
  data.frame(
    setting = rows$design, p = rows$p, n = rows$n,
    `F*` = formatC(rows$F_star, format = "f", digits = 6),
    `SM-EM iter` = rows$acc_iter, `SM-EM gap` = fmt_gap(rows$acc_gap),
    `Adam rate` = rate_label(rows$adam_rate_budget),
    `Adam loss` = formatC(rows$adam_budget_loss, format = "f", digits = 6),
    `Adam gap` = fmt_gap(rows$adam_budget_gap),
    `loss ratio Adam/SM-EM` = loss_ratio(rows$adam_budget_loss, rows$acc_gap + rows$F_star),
    `gap ratio Adam/SM-EM` = mapply(fmt_ratio, rows$adam_budget_gap, rows$acc_gap),
    `coef. error SM-EM` = fmt_e(rows$acc_coef_error),
    `coef. error Adam` = fmt_e(rows$adam_budget_coef_error),
    check.names = FALSE
  )
)
show_table(
  "Time budget: Adam (best of 13 rates) given the wall time of accelerated SM-EM",
  data.frame(
    setting = rows$design, p = rows$p, `SM-EM s` = f3(rows$time_budget),
    `SM-EM gap` = fmt_gap(rows$acc_gap),
    `Adam iterations in that time` = rows$adam_time_iterations,
    `Adam rate` = rate_label(rows$adam_rate_time),
    `Adam gap` = fmt_gap(rows$adam_time_gap),
    `loss ratio Adam/SM-EM` = loss_ratio(rows$adam_time_loss, rows$acc_gap + rows$F_star),
    `gap ratio Adam/SM-EM` = mapply(fmt_ratio, rows$adam_time_gap, rows$acc_gap),
    `coef. error Adam` = fmt_e(rows$adam_time_coef_error),
    check.names = FALSE
  )
)
if (!is.null(edges)) {
  show_table(
    "Adam's best rate at the top of the grid (* above): best gap with rates up to 10 added",
    data.frame(
      setting = edges$design, p = edges$p,
      `iteration budget: at edge` = edges$budget_at_edge,
      `iteration budget: gap with larger rates` = fmt_gap(edges$extended_budget_gap),
      `time budget: at edge` = edges$time_at_edge,
      `time budget: gap with larger rates` = fmt_gap(edges$extended_time_gap),
      check.names = FALSE
    )
  )
}
show_table(
  "Every method: final gap F - F* (iterations or evaluations, seconds)",
  data.frame(
    setting = rows$design, p = rows$p,
    `SM-EM plain` = with_work(rows$plain_gap, rows$plain_iter, rows$plain_seconds),
    `SM-EM accelerated` = with_work(rows$acc_gap, rows$acc_iter, rows$acc_seconds),
    `smem defaults (EM + Newton polish)` =
      with_work(rows$default_gap, rows$default_iter, rows$default_seconds),
    `L-BFGS-B` = with_work(rows$lbfgs_gap, rows$lbfgs_evaluations, rows$lbfgs_seconds),
    `L-BFGS-B after 200 evaluations` = fmt_gap(rows$lbfgs_budget_gap),
    `glmnet` = sprintf("%s (%s s)", fmt_gap(rows$glmnet_gap), f3(rows$glmnet_seconds)),
    `Newton reference` = sprintf("%d steps, %s s", rows$newton_steps, f3(rows$newton_seconds)),
    check.names = FALSE
  )
)
show_table(
  "Reaching a relative gap of 1e-6: iterations (seconds)",
  data.frame(
    setting = rows$design, p = rows$p,
    `SM-EM plain` = rows$plain_iter_1e6,
    `SM-EM accelerated` = sprintf(
      "%s (%s s)", rows$acc_iter_1e6, f3(rows$acc_iter_1e6 * rows$acc_seconds / rows$acc_iter)
    ),
    `Adam (time-budget rate)` = ifelse(
      is.na(rows$adam_iter_1e6), "not reached",
      sprintf("%d (%s s)", rows$adam_iter_1e6, f3(rows$adam_seconds_1e6))
    ),
    `L-BFGS-B` = ifelse(is.na(rows$lbfgs_seconds_1e6), "not reached",
                        sprintf("%s s", f3(rows$lbfgs_seconds_1e6))),
    check.names = FALSE
  )
)
show_table(
  "Monotonicity of plain SM-EM",
  data.frame(
    setting = rows$design, p = rows$p,
    `independent EM: steps` = rows$independent_iterations,
    `independent EM: largest rise of F` = formatC(rows$rise_independent, format = "e", digits = 1),
    `smem plain trace: largest rise` = formatC(rows$rise_smem, format = "e", digits = 1),
    `largest difference of the two traces` = fmt_e(rows$trace_difference),
    `smem objective vs F in R` = formatC(rows$smem_reported_difference, format = "e", digits = 1),
    check.names = FALSE
  )
)
show_table(
  "Paths of 40 lambdas",
  data.frame(
    penalty = path_rows$penalty, n = path_rows$n, p = path_rows$p, method = path_rows$method,
    seconds = f3(path_rows$seconds),
    `time / smem defaults` = formatC(path_rows$ratio_to_smem, format = "f", digits = 2),
    `tuned-Adam time / this` = formatC(path_rows$adam_ratio, format = "f", digits = 1),
    `largest gap` = fmt_gap(path_rows$largest_gap), `median gap` = fmt_gap(path_rows$median_gap),
    `iterations (glmnet: passes)` = path_rows$work,
    `lambdas converged (smem) or returned (glmnet)` =
      ifelse(is.na(path_rows$fitted), "-", path_rows$fitted),
    check.names = FALSE
  )
)

# --- save ---------------------------------------------------------------------

results <- list(
  settings = settings,
  quick = quick,
  rows = rows,
  adam_grid = do.call(rbind, lapply(problems, `[[`, "adam_grid")),
  adam_edges = edges,
  traces = lapply(problems, `[[`, "traces"),
  path_rows = path_rows,
  paths = lapply(paths, function(x) x[c("lambda", "reference", "reference_label", "gaps")]),
  environment = list(
    date = format(Sys.time(), "%Y-%m-%d"),
    R = R.version.string,
    smem = as.character(packageVersion("smem")),
    glmnet = as.character(packageVersion("glmnet")),
    Rcpp = as.character(packageVersion("Rcpp")),
    RcppEigen = as.character(packageVersion("RcppEigen")),
    blas = sessionInfo()$BLAS,
    cpu = tryCatch(
      sub(".*: ", "", grep("model name", readLines("/proc/cpuinfo"), value = TRUE)[1]),
      error = function(e) NA
    ),
    cores = parallel::detectCores(),
    seconds = as.numeric(difftime(Sys.time(), started, units = "secs"))
  )
)
rownames(results$adam_grid) <- NULL
dir.create(dirname(out_file), showWarnings = FALSE, recursive = TRUE)
saveRDS(results, out_file, compress = "xz")
if (nzchar(md_file)) writeLines(tables_out, md_file)
say("wrote %s (%.0f KB)", out_file, file.size(out_file) / 1024)
