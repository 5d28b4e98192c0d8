library(testthat)
library(smem)

test_check("smem")
