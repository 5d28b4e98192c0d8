#' smem: penalized regression by Scale Mixture EM
#'
#' Fits penalized regression models by Scale Mixture EM (SM-EM): every
#' iteration is one weighted least-squares solve with model-derived
#' observation and parameter weights. Start with [smem()].
#'
#' @keywords internal
#' @useDynLib smem, .registration = TRUE
#' @importFrom Rcpp evalCpp
#' @importFrom stats coef deviance logLik predict
#' @importClassesFrom Matrix CsparseMatrix dgCMatrix generalMatrix
#' @importMethodsFrom Matrix coerce
"_PACKAGE"
