//! StableHLO programs the tests compile, as MLIR text.

/// `a + b` on `f32[4]`: the release set's reference program (11 22 33 44 for 1..4 and 10..40).
pub const ADD_F32_4: &str = r#"
func.func @main(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = stablehlo.add %a, %b : tensor<4xf32>
  return %0 : tensor<4xf32>
}
"#;

/// The identity on one `tensor<2x3x{ty}>`: round-trips any element type through an execution.
pub fn identity(element_type: &str) -> String {
    format!(
        "func.func @main(%x: tensor<2x3x{element_type}>) -> tensor<2x3x{element_type}> {{\n  return %x : tensor<2x3x{element_type}>\n}}\n"
    )
}

/// Three outputs of different types and shapes from two `f32[2,2]` inputs: their sum, their
/// product reduced to a scalar, and the elementwise comparison `a < b`.
pub const THREE_OUTPUTS: &str = r#"
func.func @main(%a: tensor<2x2xf32>, %b: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<f32>, tensor<2x2xi1>) {
  %sum = stablehlo.add %a, %b : tensor<2x2xf32>
  %product = stablehlo.multiply %a, %b : tensor<2x2xf32>
  %zero = stablehlo.constant dense<0.0> : tensor<f32>
  %total = stablehlo.reduce(%product init: %zero) applies stablehlo.add across dimensions = [0, 1] : (tensor<2x2xf32>, tensor<f32>) -> tensor<f32>
  %less = stablehlo.compare LT, %a, %b : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xi1>
  return %sum, %total, %less : tensor<2x2xf32>, tensor<f32>, tensor<2x2xi1>
}
"#;
