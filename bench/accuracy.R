# Accuracy against glmnet on real data: for each data set, family and
# penalty, the largest relative objective gap of smem() (defaults) above
# glmnet (thresh = 1e-12) over several lambdas of glmnet's own grid, and the
# number of support differences (nonzero in one fit, zero in the other,
# ignoring values below 1e-6 on the standardized scale).
#
#   Rscript bench/accuracy.R

suppressPackageStartupMessages({
  library(smem)
  library(glmnet)
})

objective <- function(a0, beta, x, y, lambda, alpha, family) {
  spread <- sqrt(colMeans(sweep(x, 2, colMeans(x))^2))
  eta <- drop(a0 + x %*% beta)
  loss <- if (family == "binomial") {
    mean(pmax(eta, 0) + log1p(exp(-abs(eta))) - y * eta)
  } else {
    mean((y - eta)^2) / 2
  }
  scaled <- as.vector(beta) * spread
  loss + lambda * sum(alpha * abs(scaled) + (1 - alpha) / 2 * scaled^2)
}

reference_fit <- function(x, y, family, alpha) {
  if (utils::packageVersion("glmnet") >= "5.0") {
    glmnet(x, y, family = family, alpha = alpha, control = list(thresh = 1e-12, maxit = 1e6))
  } else {
    glmnet(x, y, family = family, alpha = alpha, thresh = 1e-12, maxit = 1e6)
  }
}

sets <- list(
  pima = function() {
    data("Pima.tr", package = "MASS", envir = environment())
    list(x = as.matrix(Pima.tr[, 1:7]), y = as.numeric(Pima.tr$type == "Yes"), family = "binomial")
  },
  biopsy = function() {
    data("biopsy", package = "MASS", envir = environment())
    b <- na.omit(biopsy)
    list(x = as.matrix(b[, 2:10]), y = as.numeric(b$class == "malignant"), family = "binomial")
  },
  sonar = function() {
    data("Sonar", package = "mlbench", envir = environment())
    list(x = as.matrix(Sonar[, 1:60]), y = as.numeric(Sonar$Class == "R"), family = "binomial")
  },
  spam = function() {
    data("spam", package = "kernlab", envir = environment())
    list(x = as.matrix(spam[, 1:57]), y = as.numeric(spam$type == "spam"), family = "binomial")
  },
  birthwt = function() {
    data("birthwt", package = "MASS", envir = environment())
    x <- as.matrix(birthwt[, c("age", "lwt", "race", "smoke", "ptl", "ht", "ui", "ftv")])
    y <- birthwt$bwt
    list(x = x, y = y / sqrt(mean((y - mean(y))^2)), family = "gaussian")
  },
  boston = function() {
    data("Boston", package = "MASS", envir = environment())
    y <- Boston$medv
    list(x = as.matrix(Boston[, 1:13]), y = y / sqrt(mean((y - mean(y))^2)), family = "gaussian")
  }
)

rows <- list()
for (name in names(sets)) {
  data <- sets[[name]]()
  for (alpha in c(1, 0.5, 0)) {
    reference <- suppressWarnings(reference_fit(data$x, data$y, data$family, alpha))
    at <- unique(pmin(c(2, 10, 25, 50, 75), length(reference$lambda)))
    spread <- sqrt(colMeans(sweep(data$x, 2, colMeans(data$x))^2))
    gaps <- differences <- numeric(0)
    for (k in at) {
      lambda <- reference$lambda[k]
      fit <- smem(data$x, data$y,
        family = data$family,
        penalty = if (alpha == 1) "lasso" else if (alpha == 0) "ridge" else "enet",
        alpha = if (alpha == 0) NULL else alpha, lambda = lambda
      )
      ours <- objective(fit$a0, fit$beta, data$x, data$y, lambda, alpha, data$family)
      theirs <- objective(reference$a0[k], reference$beta[, k], data$x, data$y, lambda, alpha, data$family)
      gaps <- c(gaps, (ours - theirs) / abs(theirs))
      a <- fit$beta * spread
      b <- reference$beta[, k] * spread
      differences <- c(differences, sum(xor(a != 0, b != 0) & pmax(abs(a), abs(b)) >= 1e-6))
    }
    rows[[length(rows) + 1]] <- data.frame(
      data = name, family = data$family, alpha = alpha, lambdas = length(at),
      largest_gap = max(gaps), support_differences = sum(differences)
    )
  }
}
cat(sprintf("R %s, smem %s, glmnet %s\n", getRversion(), packageVersion("smem"), packageVersion("glmnet")))
print(do.call(rbind, rows), row.names = FALSE, digits = 3)
