//! Release builds link this function the Lambda way (no PIE, no unwind tables): see
//! `latchkey-link`.

fn main() {
    latchkey_link::lambda_binaries();
}
