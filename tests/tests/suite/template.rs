//! `infra/template.yaml` routes exactly the code's route tables to the right functions.

use std::collections::BTreeSet;

type RouteSet = BTreeSet<(String, String, String)>;

/// (binary, method, path) of every HttpApi event of the template. The template keeps a fixed
/// shape: functions are top-level resources with `Binary:` under Metadata, and each route's
/// `Path:` and `Method:` lines (see infra/README.md).
fn template_routes() -> RouteSet {
    let path = format!("{}/../infra/template.yaml", env!("CARGO_MANIFEST_DIR"));
    let template = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut routes = RouteSet::new();
    let (mut binary, mut route_path) = (None::<String>, None::<String>);
    for line in template.lines() {
        let trimmed = line.trim();
        if line.starts_with("  ") && !line.starts_with("   ") && trimmed.ends_with(':') {
            binary = None; // a new top-level resource
        }
        if let Some(name) = trimmed.strip_prefix("Binary:") {
            binary = Some(name.trim().to_owned());
        } else if let Some(value) = trimmed.strip_prefix("Path:") {
            route_path = Some(value.trim().to_owned());
        } else if let Some(method) = trimmed.strip_prefix("Method:") {
            let binary = binary.clone().unwrap_or_else(|| panic!("a route outside a function: {line}"));
            let route_path = route_path.take().unwrap_or_else(|| panic!("Method without Path: {line}"));
            routes.insert((binary, method.trim().to_uppercase(), route_path));
        }
    }
    routes
}

/// (function, method, path) of every route of the registry of functions.
fn code_routes() -> RouteSet {
    local::registry::FUNCTIONS
        .iter()
        .flat_map(|function| {
            (function.routes)()
                .into_iter()
                .map(move |spec| (function.name.to_owned(), spec.method.to_string(), spec.path.to_owned()))
        })
        .collect()
}

#[test]
fn the_template_routes_exactly_what_each_function_serves() {
    let (template, code) = (template_routes(), code_routes());
    let missing: Vec<_> = code.difference(&template).collect();
    let extra: Vec<_> = template.difference(&code).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "served but not routed: {missing:?}; routed but not served: {extra:?}"
    );
    assert!(!code.is_empty());
}

#[test]
fn every_function_crate_is_in_the_registry_and_the_template() {
    let functions = format!("{}/../functions", env!("CARGO_MANIFEST_DIR"));
    let template =
        std::fs::read_to_string(format!("{}/../infra/template.yaml", env!("CARGO_MANIFEST_DIR"))).expect("template");
    let mut crates: Vec<String> = std::fs::read_dir(functions)
        .expect("functions folder")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    crates.sort();
    let mut registered: Vec<String> = local::registry::FUNCTIONS.iter().map(|f| f.name.to_owned()).collect();
    registered.sort();
    assert_eq!(crates, registered, "functions/ and local::registry::FUNCTIONS list the same functions");
    for name in crates {
        assert!(
            template.contains(&format!("Binary: {name}")),
            "functions/{name} is not deployed by infra/template.yaml"
        );
    }
}
