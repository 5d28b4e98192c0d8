# Installs from CRAN the packages smem needs to build, test and run its
# examples, skipping those already installed.
needed <- c(
  "Rcpp", "RcppEigen", "cli", "rlang", "Matrix",
  "glmnet", "MASS", "mlbench", "kernlab", "knitr", "markdown",
  "testthat", "future", "future.apply", "ncvreg", "lpSolve", "quadprog"
)
missing <- needed[!vapply(needed, requireNamespace, logical(1), quietly = TRUE)]
if (length(missing) > 0) {
  message("Installing from CRAN: ", paste(missing, collapse = ", "))
  repos <- getOption("repos")
  if (is.null(repos) || identical(unname(repos["CRAN"]), "@CRAN@")) {
    repos <- c(CRAN = "https://cloud.r-project.org")
  }
  utils::install.packages(missing, repos = repos, Ncpus = max(1L, parallel::detectCores()))
}
still <- needed[!vapply(needed, requireNamespace, logical(1), quietly = TRUE)]
if (length(still) > 0) {
  stop("Could not install: ", paste(still, collapse = ", "), call. = FALSE)
}
