//! The hello-world baseline is linked as the functions are (see `latchkey-link`), so the
//! cold-start comparison is like for like.

fn main() {
    latchkey_link::lambda_binary("hello-lambda");
}
