// array<index: 1> in a comment: no dense array, so tfc-translate reads this
// from standard input, checks it and hands it on to the translation.
llvm.func @f() attributes {passthrough = ["array<index: 2>"]} {
  llvm.return
}
