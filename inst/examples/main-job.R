# The main job: a penalized logistic regression by SM-EM on the spam data
# (kernlab), from one fit to a cross-validated path, with the results printed
# and the plots saved as PNG files.
#
#   Rscript inst/examples/main-job.R [output folder]
#
# The output folder defaults to "smem-output" in the working directory.

library(smem)

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[1] else "smem-output"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

# Data: 4601 e-mails, 57 word and character frequencies, spam or not.
data("spam", package = "kernlab")
x <- as.matrix(spam[, 1:57])
y <- spam$type
cat(sprintf(
  "spam data: %d e-mails, %d predictors, %.1f%% spam\n",
  nrow(x), ncol(x), 100 * mean(y == "spam")
))

# A stratified 70/30 split into training and test sets.
set.seed(20261204)
test <- unlist(lapply(split(seq_along(y), y), function(i) {
  sample(i, round(0.3 * length(i)))
}))
x_train <- x[-test, ]
y_train <- y[-test]
x_test <- x[test, ]
y_test <- y[test]

# 1. One fit at one penalty level, with its objective trace.
cat("\n== One lasso fit at lambda = 0.001 ==\n")
timing <- system.time(
  fit <- smem(x_train, y_train, family = "binomial", lambda = 0.001)
)
print(fit)
cat(sprintf("(%.2f s)\n", timing[["elapsed"]]))
png(file.path(out_dir, "objective-trace.png"), width = 900, height = 450)
op <- par(mfrow = c(1, 2))
plot(fit)
plot(fit, gap = TRUE)
par(op)
invisible(dev.off())

# 2. The regularization path.
cat("\n== Lasso path ==\n")
timing <- system.time(
  path <- smem_path(x_train, y_train, family = "binomial")
)
cat(sprintf(
  "%d penalty levels in %.2f s (%d SM-EM iterations, all converged: %s)\n",
  length(path$lambda), timing[["elapsed"]], sum(path$iter), all(path$converged)
))
print(utils::head(data.frame(
  Df = path$df, `%Dev` = round(100 * path$dev.ratio, 2),
  Lambda = signif(path$lambda, 4), check.names = FALSE
), 10))
png(file.path(out_dir, "coefficient-paths.png"), width = 900, height = 600)
plot(path, label = TRUE)
invisible(dev.off())

# 3. Ten-fold cross-validation on the path's grid.
cat("\n== 10-fold cross-validation ==\n")
timing <- system.time(
  cv <- smem_cv(x_train, y_train, family = "binomial", nfolds = 10)
)
print(cv)
cat(sprintf("(%.2f s)\n", timing[["elapsed"]]))
png(file.path(out_dir, "cv-curve.png"), width = 900, height = 600)
plot(cv)
invisible(dev.off())

chosen <- cbind(
  as.matrix(coef(cv, s = "lambda.min")),
  as.matrix(coef(cv, s = "lambda.1se"))
)
cat("\nNonzero coefficients at lambda.min and lambda.1se:\n")
print(round(chosen[rowSums(chosen != 0) > 0, , drop = FALSE], 4))

# 4. Held-out accuracy and AUC on the test split.
auc <- function(score, positive) {
  ranks <- rank(score)
  n_pos <- sum(positive)
  n_neg <- sum(!positive)
  (sum(ranks[positive]) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
}
cat("\n== Test split ==\n")
for (s in c("lambda.min", "lambda.1se")) {
  probability <- drop(predict(cv, x_test, s = s, type = "response"))
  label <- drop(predict(cv, x_test, s = s, type = "class"))
  cat(sprintf(
    "%-10s  accuracy %.4f  AUC %.4f  (%d test e-mails)\n",
    s, mean(label == y_test), auc(probability, y_test == "spam"), length(y_test)
  ))
}
cat(sprintf("\nPlots written to %s/\n", normalizePath(out_dir)))
