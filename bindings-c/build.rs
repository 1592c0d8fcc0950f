//! Gives libferromq.so its SONAME, so that installed copies are found as
//! `libferromq.so.0` by the programs linked against them.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libferromq.so.0");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
