fn main() {
    // aws-sdk links both ring and aws-lc-rs into rustls; pick one before any TLS is used.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    r53_plugin::logging::init("provider.terraform-provider-r53");
    std::process::exit(r53_plugin::serve::main(
        "terraform-provider-r53",
        env!("CARGO_PKG_VERSION"),
        terraform_provider_r53::R53Provider::new,
    ));
}
