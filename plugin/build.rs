fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../proto");
    println!("cargo:rerun-if-changed={dir}");
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_protos(
            &[
                format!("{dir}/tfplugin5.proto"),
                format!("{dir}/go_plugin.proto"),
            ],
            &[dir.to_string()],
        )?;
    Ok(())
}
