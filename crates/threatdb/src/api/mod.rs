//! `threatdb api METHOD PATH`: one signed request to the API, its answer printed, like `gh api`.

pub(crate) mod http;
mod output;
mod paginate;

use crate::client::{CredentialsFile, EndpointArgs};
use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use http::{Auth, Client, is_absolute};
use output::{Output, verdict};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::io::Read;

/// The long help of `threatdb api`.
pub const LONG_ABOUT: &str = "\
Send one signed request to the API and print the answer's body, like `gh api`.

PATH is below the API base URL (--base-url, TC_API_BASE_URL or the credentials file, e.g.
http://127.0.0.1:8450/api) and may carry a query; quote it for the shell. It is sent and signed as
given (the HMAC covers the path and query as sent). A full http:// or https:// URL is used as is.

Authentication: ThreatConnect HMAC (`Timestamp` and `Authorization: TC <access id>:<signature>`)
with the credentials every client command uses: flags, then TC_API_* environment variables, then
./data/credentials.env. With --token (or TC_TOKEN): `Authorization: TC-Token <token>` instead.

Output: the body, pretty-printed when standard output is a terminal and byte for byte otherwise.
The exit status is 0 for a 2xx answer and 1 for any other status or a ThreatConnect
{\"status\":\"Failure\"} envelope, with `error: <status>: <message>` on standard error; the body is
printed either way.

--paginate (GET only) fetches every page and prints one merged answer:
  v2, a `data.resultCount` and one list in `data` (e.g. `data.incident`): asks for the following
    resultStart values until resultCount items are in hand or a page comes back empty or shorter
    than the first; prints the first page's envelope with that list holding every item.
  v3, a top-level `next` link: follows it until it is absent; prints
    {\"data\":[every item],\"count\":<number of items>,\"status\":\"Success\"}.
  An answer that fits on one page is printed as received. With --include, the status line and
  headers of every page come first, then the merged body.";

/// Examples, after the options.
pub const EXAMPLES: &str = "\
Examples:
  threatdb api GET /v2/owners/mine
  threatdb api POST '/v2/groups/incidents?owner=Example+Community' \\
      --data '{\"name\":\"New Incident\",\"eventDate\":\"2017-03-21T00:00:00Z\"}'
  threatdb api PUT /v2/groups/incidents/1 --data @incident.json
  threatdb api GET '/v2/groups/incidents?owner=Example+Community&resultLimit=500' --paginate
  threatdb api DELETE /v2/groups/incidents/1 --include";

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// `threatdb api`.
#[derive(Args, Debug)]
pub struct ApiArgs {
    /// GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS (any case).
    method: String,
    /// Below the API base URL, e.g. /v2/owners/mine or '/v2/groups/incidents?owner=Example+Community';
    /// or a full http(s):// URL.
    path: String,
    /// The JSON body: the text itself, @FILE to read a file, or - to read standard input.
    #[arg(long, short = 'd', value_name = "BODY|@FILE|-")]
    data: Option<String>,
    /// A request header to add, replacing one the command would send (repeatable).
    #[arg(long = "header", short = 'H', value_name = "KEY:VALUE")]
    headers: Vec<String>,
    /// Fetch every page of a GET listing and print one merged answer (--help says how).
    #[arg(long)]
    paginate: bool,
    /// Print the status line and the response headers before the body.
    #[arg(long, short = 'i')]
    include: bool,
    /// Authenticate with this API token instead of the access id and secret key.
    #[arg(long, env = "TC_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Seconds added to the signed timestamp, to try the server's clock-skew check.
    #[arg(
        long,
        env = "TC_SKEW",
        hide = true,
        allow_hyphen_values = true,
        default_value_t = 0
    )]
    skew: i64,
    #[command(flatten)]
    endpoint: EndpointArgs,
}

/// Runs `threatdb api`.
pub async fn run(args: ApiArgs) -> Result<()> {
    let method = parse_method(&args.method)?;
    if args.paginate && method != Method::GET {
        bail!("--paginate follows the pages of a GET listing, not of a {method}");
    }
    let headers = parse_headers(&args.headers)?;
    let body = read_body(args.data.as_deref())?;
    let file = CredentialsFile::read(&args.endpoint.credentials);
    let base = file.pick(&args.endpoint.base_url, "TC_API_BASE_URL");
    let auth = authentication(
        args.token.as_deref(),
        &args.endpoint,
        args.skew,
        &file,
        base.is_none() && !is_absolute(&args.path),
    )?;
    let client = Client::new(base, auth, headers, args.endpoint.ca_cert.as_deref())?;
    let url = client.resolve(&args.path)?;
    let out = Output::new(args.include);
    if args.paginate {
        return paginate::run(&client, url, &out).await;
    }
    let page = client.send(&method, url, body.as_deref()).await?;
    out.head(&page)?;
    out.body(&page.body)?;
    verdict(&page)
}

/// The token when one is given, else HMAC with the access id and secret key. Everything
/// missing is named at once, `--base-url` too when `base_missing`.
pub(crate) fn authentication(
    token: Option<&str>,
    e: &EndpointArgs,
    skew: i64,
    file: &CredentialsFile,
    base_missing: bool,
) -> Result<Auth> {
    let base = base_missing.then_some("--base-url");
    if let Some(token) = token.filter(|t| !t.trim().is_empty()) {
        return match base {
            Some(flag) => Err(file.missing(&[flag], "")),
            None => Ok(Auth::Token(token.trim().to_string())),
        };
    }
    let access_id = file.pick(&e.access_id, "TC_API_ACCESS_ID");
    let secret = file.pick(&e.secret_key, "TC_API_SECRET_KEY");
    match (access_id, secret, base) {
        (Some(access_id), Some(secret), None) => Ok(Auth::Hmac {
            access_id,
            secret,
            skew,
        }),
        (access_id, secret, base) => {
            let mut missing = Vec::new();
            let keyless = access_id.is_none() || secret.is_none();
            if access_id.is_none() {
                missing.push("--access-id");
            }
            if secret.is_none() {
                missing.push("--secret-key");
            }
            missing.extend(base);
            let also = if keyless {
                "; or give an API token with --token or TC_TOKEN"
            } else {
                ""
            };
            Err(file.missing(&missing, also))
        }
    }
}

fn parse_method(text: &str) -> Result<Method> {
    let upper = text.trim().to_ascii_uppercase();
    if METHODS.contains(&upper.as_str()) {
        return Method::from_bytes(upper.as_bytes()).map_err(|e| anyhow!("{text}: {e}"));
    }
    if text.starts_with('/') || is_absolute(text) {
        bail!(
            "'{text}' is not an HTTP method: the method comes first, e.g. `threatdb api GET {text}`"
        );
    }
    bail!(
        "'{text}' is not an HTTP method: use one of {}",
        METHODS.join(", ")
    )
}

fn parse_headers(given: &[String]) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    for h in given {
        let Some((name, value)) = h.split_once(':') else {
            bail!("--header '{h}' is not KEY:VALUE, e.g. --header 'Accept: application/json'");
        };
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| anyhow!("--header '{h}': '{}' is not a header name", name.trim()))?;
        let value = HeaderValue::from_str(value.trim())
            .map_err(|_| anyhow!("--header '{h}': the value cannot go in an HTTP header"))?;
        headers.append(name, value);
    }
    Ok(headers)
}

fn read_body(data: Option<&str>) -> Result<Option<Vec<u8>>> {
    let Some(data) = data else { return Ok(None) };
    if data == "-" {
        let mut body = Vec::new();
        std::io::stdin()
            .read_to_end(&mut body)
            .context("cannot read the body from standard input")?;
        return Ok(Some(body));
    }
    if let Some(path) = data.strip_prefix('@') {
        if path.is_empty() {
            bail!("--data @ needs a file name, e.g. --data @incident.json");
        }
        let body =
            std::fs::read(path).with_context(|| format!("cannot read the body file {path}"))?;
        return Ok(Some(body));
    }
    Ok(Some(data.as_bytes().to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_checked() {
        assert_eq!(parse_method("get").expect("GET"), Method::GET);
        assert_eq!(parse_method("DELETE").expect("DELETE"), Method::DELETE);
        let e = parse_method("/v2/owners").expect_err("a path").to_string();
        assert!(e.contains("threatdb api GET /v2/owners"), "{e}");
        let e = parse_method("FETCH").expect_err("unknown").to_string();
        assert!(e.contains("GET, POST"), "{e}");
    }

    #[test]
    fn headers_are_key_colon_value() {
        let h =
            parse_headers(&["X-One: 1".into(), "Accept:application/json".into()]).expect("headers");
        assert_eq!(h["x-one"], "1");
        assert_eq!(h["accept"], "application/json");
        assert!(parse_headers(&["no colon".into()]).is_err());
        assert!(parse_headers(&["bad name: x".into()]).is_err());
    }
}
