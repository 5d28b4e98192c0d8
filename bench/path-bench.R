# Benchmark: the 100-lambda binomial lasso path (and 40-lambda ridge paths)
# of smem_path() against glmnet on the same grid, in one run.
#
#   Rscript bench/path-bench.R [--reps=5] [--cases=a,b,c,d,e,ridge-a,ridge-c,ridge-d]
#                              [--curvature=pg,bohning]
#
# With several curvatures, smem is timed once per curvature (rows per case).
#
# Accuracy is matched: glmnet at thresh = 1e-10, smem at its defaults, and
# both are held against a reference fit (glmnet at thresh = 1e-13) at every
# lambda; the largest relative objective gap of each is printed beside its
# time. Times are medians over the repetitions, measured in this process,
# alternating the two packages; a fit shorter than 0.2 s is timed as a batch
# of calls within each repetition. Peak memory is measured in a separate R
# process per case and package (VmHWM minus VmRSS before the fit).

suppressPackageStartupMessages({
  library(smem)
  library(glmnet)
  library(Matrix)
})

args <- commandArgs(trailingOnly = TRUE)
option <- function(name, default) {
  hit <- grep(paste0("^--", name, "="), args, value = TRUE)
  if (length(hit) == 0) default else sub(paste0("^--", name, "="), "", hit[1])
}
reps <- as.integer(option("reps", "5"))
cases <- strsplit(option("cases", "a,b,c,d,e,ridge-a,ridge-c"), ",")[[1]]
curvatures <- strsplit(option("curvature", "pg,bohning"), ",")[[1]]
memory_case <- option("memory", "")  # internal: run one fit and report memory

glmnet_fit <- function(x, y, alpha, lambda, thresh) {
  if (utils::packageVersion("glmnet") >= "5.0") {
    glmnet(x, y, family = "binomial", alpha = alpha, lambda = lambda,
           control = list(thresh = thresh, maxit = 1e6))
  } else {
    glmnet(x, y, family = "binomial", alpha = alpha, lambda = lambda,
           thresh = thresh, maxit = 1e6)
  }
}

ar1_design <- function(n, p, rho) {
  x <- matrix(rnorm(n * p), n, p)
  if (rho > 0) {
    for (j in 2:p) x[, j] <- rho * x[, j - 1] + sqrt(1 - rho^2) * x[, j]
  }
  x
}

# Case data: seed fixed per case; 10 true nonzero coefficients spread over
# the columns, scaled so the linear predictor has standard deviation 2.
make_case <- function(case) {
  set.seed(switch(case, a = 1, b = 2, c = 3, d = 4, e = 5, `ridge-a` = 1, `ridge-c` = 3,
                  `ridge-d` = 4))
  base <- sub("^ridge-", "", case)
  if (base == "e") {
    data("spam", package = "kernlab", envir = environment())
    return(list(x = as.matrix(spam[, 1:57]), y = as.numeric(spam$type == "spam")))
  }
  dims <- switch(base,
    a = c(1000, 100, 0), b = c(1000, 100, 0.95),
    c = c(5000, 500, 0.9), d = c(200, 2000, 0)
  )
  x <- ar1_design(dims[1], dims[2], dims[3])
  beta <- numeric(dims[2])
  beta[round(seq(1, dims[2], length.out = 10))] <- rep(c(1, -1), 5)
  eta <- drop(x %*% beta)
  eta <- 2 * eta / sd(eta)
  list(x = x, y = rbinom(dims[1], 1, plogis(eta)))
}

objective <- function(a0, beta, x, y, lambda, alpha, spread) {
  eta <- drop(a0 + x %*% beta)
  loss <- mean(pmax(eta, 0) + log1p(exp(-abs(eta))) - y * eta)
  scaled <- as.vector(beta) * spread
  loss + lambda * sum(alpha * abs(scaled) + (1 - alpha) / 2 * scaled^2)
}

largest_gap <- function(a0, beta, reference, x, y, alpha, spread) {
  gaps <- vapply(seq_along(reference$lambda), function(k) {
    ours <- objective(a0[k], beta[, k], x, y, reference$lambda[k], alpha, spread)
    best <- objective(reference$a0[k], reference$beta[, k], x, y, reference$lambda[k], alpha, spread)
    (ours - best) / abs(best)
  }, numeric(1))
  max(gaps)
}

settings <- function(case) {
  ridge <- startsWith(case, "ridge")
  list(alpha = if (ridge) 0 else 1, nlambda = if (ridge) 40 else 100)
}

status_kb <- function(field) {
  line <- grep(paste0("^", field, ":"), readLines("/proc/self/status"), value = TRUE)
  as.numeric(gsub("[^0-9]", "", line))
}

# --- memory mode: one fit in a fresh process --------------------------------
if (nzchar(memory_case)) {
  parts <- strsplit(memory_case, ":")[[1]]
  data <- make_case(parts[1])
  set <- settings(parts[1])
  lambda <- as.numeric(strsplit(parts[3], "/")[[1]])
  gc()
  before <- status_kb("VmRSS")
  if (startsWith(parts[2], "smem")) {
    fit <- smem_path(data$x, data$y, family = "binomial",
      penalty = if (set$alpha == 0) "ridge" else "lasso",
      lambda = lambda, early.stop = FALSE,
      control = smem_control(curvature = sub("^smem-", "", parts[2])))
  } else {
    fit <- glmnet_fit(data$x, data$y, set$alpha, lambda, 1e-10)
  }
  cat(status_kb("VmHWM") - before, "\n")
  quit(save = "no")
}

peak_memory_mb <- function(case, package, lambda) {
  script <- normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE)))
  grid <- paste(format(lambda, digits = 17), collapse = "/")
  out <- system2("Rscript", c(script, paste0("--memory=", case, ":", package, ":", grid)),
                 stdout = TRUE, stderr = FALSE)
  as.numeric(utils::tail(out, 1)) / 1024
}

# --- timing mode -------------------------------------------------------------
run_case <- function(case) {
  data <- make_case(case)
  set <- settings(case)
  x <- data$x
  y <- data$y
  spread <- sqrt(colMeans(sweep(x, 2, colMeans(x))^2))
  grid <- glmnet_fit(x, y, set$alpha, NULL, 1e-7)
  # glmnet's default range: down to 1e-4 of the largest lambda, 0.01 when
  # there are more columns than rows
  lambda <- exp(seq(log(max(grid$lambda)), log(max(grid$lambda) * if (nrow(x) < ncol(x)) 0.01 else 1e-4),
                    length.out = set$nlambda))
  reference <- glmnet_fit(x, y, set$alpha, lambda, 1e-13)

  glmnet_once <- function() glmnet_fit(x, y, set$alpha, lambda, 1e-10)
  glmnet_once()  # warm up
  do.call(rbind, lapply(curvatures, function(curvature) {
    smem_once <- function() {
      smem_path(x, y, family = "binomial", penalty = if (set$alpha == 0) "ridge" else "lasso",
                lambda = lambda, early.stop = FALSE,
                control = smem_control(curvature = curvature))
    }
    # warm up, and the number of calls per repetition: fits shorter than
    # 0.2 s are timed as a batch (the clock counts milliseconds)
    batch <- function(once) max(1L, ceiling(0.2 / max(system.time(once())[["elapsed"]], 1e-3)))
    calls_smem <- batch(smem_once)
    calls_glmnet <- batch(glmnet_once)
    timed <- function(once, calls) {
      system.time(for (i in seq_len(calls)) value <- once())[["elapsed"]] / calls
    }
    t_smem <- t_glmnet <- numeric(reps)
    for (r in seq_len(reps)) {
      t_smem[r] <- timed(smem_once, calls_smem)
      t_glmnet[r] <- timed(glmnet_once, calls_glmnet)
    }
    path <- smem_once()
    g <- glmnet_once()
    gap_smem <- largest_gap(path$a0, path$beta, reference, x, y, set$alpha, spread)
    gap_glmnet <- largest_gap(g$a0, g$beta, reference, x, y, set$alpha, spread)
    total <- median(t_smem)
    gram <- sum(path$seconds_gram)
    solve <- sum(path$seconds_solve)
    data.frame(
      case = case, curvature = curvature, n = nrow(x), p = ncol(x),
      nlambda = length(lambda),
      smem_s = median(t_smem), glmnet_s = median(t_glmnet),
      ratio = median(t_smem) / median(t_glmnet),
      gap_smem = gap_smem, gap_glmnet = gap_glmnet,
      iter_mean = mean(path$iter), iter_max = max(path$iter),
      newton = sum(path$newton_steps),
      share_gram = gram / total, share_solve = solve / total,
      share_other = 1 - (gram + solve) / total,
      mem_smem_mb = peak_memory_mb(case, paste0("smem-", curvature), lambda),
      mem_glmnet_mb = peak_memory_mb(case, "glmnet", lambda),
      converged = all(path$converged)
    )
  }))
}

cat(sprintf("R %s, smem %s, glmnet %s, %d repetitions (median)\n",
            getRversion(), packageVersion("smem"), packageVersion("glmnet"), reps))
results <- do.call(rbind, lapply(cases, function(case) {
  message("case ", case)
  row <- run_case(case)
  print(format(row, digits = 3), row.names = FALSE)  # as soon as it is known
  row
}))
cat("\nAll cases:\n")
print(format(results, digits = 3), row.names = FALSE)
