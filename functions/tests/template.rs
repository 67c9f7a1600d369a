//! template.yaml against the workspace: every function crate (a workspace member under
//! functions/ whose package is `latchkey-fn-<name>`) is a `Function`, has its SAM resource
//! (cargo-lambda build of that crate, arm64, provided.al2023) with exactly its routes, and
//! nothing else is there but the import worker (the admin crate again, with no route).
//! cfn-lint (scripts/lambda-check.sh) checks the template itself.

use latchkey::lambda::Function;
use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Workspace members under functions/ that are Lambda functions (package `latchkey-fn-*`).
fn function_crates() -> BTreeSet<String> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("root Cargo.toml");
    manifest
        .split('"')
        .filter_map(|s| s.strip_prefix("functions/"))
        .filter(|name| {
            let own = root().join("functions").join(name).join("Cargo.toml");
            std::fs::read_to_string(own)
                .is_ok_and(|m| m.contains(&format!("name = \"latchkey-fn-{name}\"")))
        })
        .map(str::to_string)
        .collect()
}

/// The template's resources: (logical id, the lines of its block).
fn resources(template: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut inside = false;
    for line in template.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            inside = line.starts_with("Resources:");
            continue;
        }
        if !inside || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 2 && line.trim_end().ends_with(':') {
            out.push((line.trim().trim_end_matches(':').to_string(), Vec::new()));
        } else if let Some((_, block)) = out.last_mut() {
            block.push(line.trim().to_string());
        }
    }
    out
}

fn values<'a>(block: &'a [String], key: &str) -> Vec<&'a str> {
    // Lines are `Key: value` or a flow mapping `Properties: { A: 1, B: 2 }`; a `{poolId}`
    // inside a value has no space after its brace, so it is never taken for a mapping.
    block
        .iter()
        .flat_map(|l| l.split(", "))
        .map(|part| {
            let part = part.trim();
            let part = part.split_once(": { ").map_or(part, |(_, rest)| rest);
            part.trim_start_matches("{ ").trim_end_matches(" }")
        })
        .filter_map(|part| part.strip_prefix(key))
        .map(|v| v.trim().trim_matches('"'))
        .collect()
}

#[test]
fn every_function_crate_has_its_resource_and_routes() {
    let template = std::fs::read_to_string(root().join("template.yaml")).expect("template.yaml");
    let crates = function_crates();
    let expected: BTreeSet<String> = Function::ALL.iter().map(|f| f.name().to_string()).collect();
    assert_eq!(
        crates, expected,
        "functions/ crates and latchkey::lambda::Function differ"
    );
    assert!(template.contains("Runtime: provided.al2023"));
    assert!(template.contains("Architectures: [arm64]"));

    let functions: Vec<(String, Vec<String>)> = resources(&template)
        .into_iter()
        .filter(|(_, b)| b.iter().any(|l| l == "Type: AWS::Serverless::Function"))
        .collect();
    let mut seen = BTreeSet::new();
    let mut workers = 0;
    for (id, block) in &functions {
        if id == "ImportWorkerFunction" {
            workers += 1;
            assert_eq!(values(block, "CodeUri:"), ["functions/admin"], "{id}");
            assert_eq!(values(block, "Binary:"), ["admin"], "{id}");
            assert!(values(block, "Method:").is_empty(), "{id}: no API route");
            assert_eq!(values(block, "Timeout:"), ["900"], "{id}");
            assert_eq!(
                values(block, "LATCHKEY_IMPORT_BUCKET:"),
                ["!Ref ImportBucket"],
                "{id}"
            );
            continue;
        }
        let code = values(block, "CodeUri:");
        let name = code.first().and_then(|c| c.strip_prefix("functions/"));
        let function = name
            .and_then(Function::from_name)
            .unwrap_or_else(|| panic!("{id}: CodeUri {code:?} is not a function crate"));
        assert!(
            seen.insert(function.name()),
            "{id}: a second resource for {}",
            function.name()
        );
        assert_eq!(values(block, "BuildMethod:"), ["rust-cargolambda"], "{id}");
        assert_eq!(values(block, "Binary:"), [function.name()], "{id}");
        let methods = values(block, "Method:");
        let paths = values(block, "Path:");
        let routes: BTreeSet<(&str, &str)> = methods.into_iter().zip(paths).collect();
        let want: BTreeSet<(&str, &str)> = function.routes().iter().copied().collect();
        assert_eq!(routes, want, "{id}: routes differ from Function::routes()");
        let iam = block.iter().any(|l| l == "Authorizer: AWS_IAM");
        assert_eq!(
            iam,
            function == Function::Admin,
            "{id}: AWS_IAM only (and always) on admin"
        );
        assert!(
            values(block, "MemorySize:").len() == 1,
            "{id}: size its memory"
        );
        // The functions serving CreateUserImportJob hand started jobs to the worker.
        if matches!(function, Function::Admin | Function::CognitoApi) {
            assert_eq!(
                values(block, "LATCHKEY_IMPORT_WORKER_FUNCTION:"),
                ["!Ref ImportWorkerFunction"],
                "{id}"
            );
        }
    }
    assert_eq!(workers, 1, "one ImportWorkerFunction");
    assert_eq!(
        seen.len(),
        Function::ALL.len(),
        "a function has no resource"
    );
}

/// The no-API-Gateway option: a public function URL on cognito-api (the JSON API at POST /),
/// only when `ApiFunctionUrl` is "true", with both permissions a new URL needs.
#[test]
fn the_function_url_option_fronts_cognito_api_only() {
    let template = std::fs::read_to_string(root().join("template.yaml")).expect("template.yaml");
    assert!(template.contains("WithFunctionUrl: !Equals [!Ref ApiFunctionUrl, \"true\"]"));
    let all = resources(&template);
    let with_url: Vec<&(String, Vec<String>)> = all
        .iter()
        .filter(|(_, b)| b.iter().any(|l| l == "Condition: WithFunctionUrl"))
        .collect();
    let ids: BTreeSet<&str> = with_url.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            "CognitoApiFunctionUrl",
            "CognitoApiFunctionUrlPermission",
            "CognitoApiFunctionUrlInvokePermission",
        ])
    );
    for (id, block) in with_url {
        let target = values(block, "TargetFunctionArn:")
            .into_iter()
            .chain(values(block, "FunctionName:"))
            .collect::<Vec<_>>();
        assert_eq!(target, ["!Ref CognitoApiFunction"], "{id}");
    }
    let url = &all
        .iter()
        .find(|(id, _)| id == "CognitoApiFunctionUrl")
        .expect("url")
        .1;
    assert_eq!(values(url, "AuthType:"), ["NONE"]);
    let actions: BTreeSet<&str> = all
        .iter()
        .filter(|(id, _)| id.starts_with("CognitoApiFunctionUrl") && id.ends_with("Permission"))
        .flat_map(|(_, b)| values(b, "Action:"))
        .collect();
    assert_eq!(
        actions,
        BTreeSet::from(["lambda:InvokeFunctionUrl", "lambda:InvokeFunction"])
    );
}

#[test]
fn the_table_matches_the_store_key_schema() {
    let template = std::fs::read_to_string(root().join("template.yaml")).expect("template.yaml");
    let table = resources(&template)
        .into_iter()
        .find(|(id, _)| id == "Table")
        .expect("a Table resource")
        .1
        .join("\n");
    for needle in [
        "AttributeName: PK, KeyType: HASH",
        "AttributeName: SK, KeyType: RANGE",
        "IndexName: GSI1",
        "AttributeName: GSI1PK, KeyType: HASH",
        "AttributeName: GSI1SK, KeyType: RANGE",
        "ProjectionType: ALL",
        "AttributeName: ttl",
        "BillingMode: PAY_PER_REQUEST",
        "PointInTimeRecoveryEnabled: true",
        "SSEEnabled: true",
    ] {
        assert!(table.contains(needle), "Table lacks {needle}");
    }
}
