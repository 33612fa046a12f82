// Rebuild when the embedded theme or example site changes.
fn main() {
    println!("cargo:rerun-if-changed=themes/default");
    println!("cargo:rerun-if-changed=site/content");
    println!("cargo:rerun-if-changed=site/config.toml");
    println!("cargo:rerun-if-changed=site/data");
    println!("cargo:rerun-if-changed=site/archetypes");
    println!("cargo:rerun-if-changed=site/static");
    println!("cargo:rerun-if-changed=site/templates");
}
