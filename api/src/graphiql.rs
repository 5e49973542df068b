//! GraphiQL on `GET /graphql`, every asset served from the binary (`api/assets/graphiql/`):
//! a government intranet has no internet, so the page loads nothing from outside.
//! Subscriptions go to `/graphql/ws` with the headers set in GraphiQL's header editor as the
//! `connection_init` payload.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Where the assets are served.
pub const ASSETS: &str = "/graphql/assets";

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/graphiql/graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/react-dom.production.min.js"),
    ),
    (
        "graphql-ws.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/graphql-ws.min.js"),
    ),
];

const PAGE: &str = r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>两业融合发展标杆引领典型情况信息库 · GraphiQL</title>
<link rel="stylesheet" href="/graphql/assets/graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">正在加载 GraphiQL…</div>
<script src="/graphql/assets/react.production.min.js"></script>
<script src="/graphql/assets/react-dom.production.min.js"></script>
<script src="/graphql/assets/graphql-ws.min.js"></script>
<script src="/graphql/assets/graphiql.min.js"></script>
<script>
  const wsUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql/ws";
  // The connection_init payload: the headers typed into GraphiQL's header editor.
  const headers = () => {
    try { return JSON.parse(localStorage.getItem("graphiql:headers") || "{}"); } catch (e) { return {}; }
  };
  const wsClient = graphqlWs.createClient({ url: wsUrl, lazy: true, connectionParams: headers });
  const fetcher = GraphiQL.createFetcher({ url: "/graphql", wsClient });
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, { fetcher })
  );
</script>
</body>
</html>
"#;

/// The page.
pub async fn page() -> Html<&'static str> {
    Html(PAGE)
}

/// One asset by file name; 404 for anything else.
pub async fn asset(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}

/// The asset paths the page refers to (for tests).
pub fn asset_paths() -> impl Iterator<Item = String> {
    FILES.iter().map(|(name, _, _)| format!("{ASSETS}/{name}"))
}
