#include "cli/serve_command.h"

#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "base/error.h"
#include "base/json_text.h"
#include "cli/workspace_options.h"
#include "core/datetime.h"
#include "serve/serve_config.h"
#include "store/result_store.h"

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;

constexpr char kDescription[] =
    "Serve every result and model of the workspace over HTTP (HTTPS with serve.tls), from this "
    "process: "
    "GET /v1/results, /v1/results/{name} (rows; PostgREST query strings: select=, "
    "col=eq.v|neq|gt|gte|lt|lte|like|ilike|in.(…)|is.null|not.…, order=col.desc.nullslast, "
    "limit, offset, cursor, "
    "version; JSON, NDJSON, CSV or Parquet by Accept or format=), /v1/results/{name}/schema, "
    "GET /v1/models, /v1/models/{name}, POST /v1/models/{name}/predict ({\"instances\": "
    "[{feature: value, ...}]}), /openapi.json, /metrics (Prometheus), /healthz, /readyz. A new "
    "version is picked up "
    "between requests. Ctrl-C stops: requests in progress finish";

constexpr char kFooter[] = R"(
Settings live in the workspace's sluice.yaml (all optional):

  serve:
    listen: 127.0.0.1:7070          # anything but loopback needs tokens
    max_body: 1MB
    request_timeout: 30s
    max_rows: 10000                 # cap on limit= per request
    cors_origins: ["https://app.example.com"]
    tls: {cert: certs/server.pem, key: certs/server.key}   # HTTPS (TLS 1.2+); PEM files
    trust_forwarded_headers: false  # behind a proxy: true lets X-Forwarded-Proto/-Host/
                                    # -Prefix set the base URL of links and /openapi.json
    tokens:                         # bearer tokens; none: no authentication (loopback only)
      - name: dashboard
        sha256: <sluice token hash SECRET>
        scopes: [read:delays_by_state]
      - name: ci
        env: SLUICE_TOKEN_CI        # the secret comes from this environment variable
        scopes: ["read:*", pii]     # pii: columns the catalog flags as personal are not masked)";

std::string AccessLine(const serve::AccessRecord& record) {
  std::string line = "{\"time\":";
  AppendJsonString(line, core::FormatTimestamp(core::NowMicros()));
  line += ",\"remote\":";
  AppendJsonString(line, record.remote_address);
  line += ",\"method\":";
  AppendJsonString(line, record.method);
  line += ",\"target\":";
  AppendJsonString(line, record.target);
  line += fmt::format(",\"status\":{},\"bytes\":{},\"ms\":{:.3f}}}", record.status, record.bytes,
                      record.duration_micros / 1000.0);
  return line;
}

}  // namespace

std::unique_ptr<Serving> Serving::Start(session::Database& database, const std::string& workspace,
                                        const std::string& listen, bool access_log,
                                        Console& console) {
  serve::ServeConfig config = serve::ReadServeConfig(workspace);
  if (!listen.empty()) config.listen = listen;
  if (!serve::IsLoopbackListen(config.listen) && !config.auth_enabled()) {
    Throw<UserError>("--listen {} is not a loopback address: configure serve.tokens first",
                     config.listen);
  }
  std::unique_ptr<Serving> serving(new Serving());
  serve::ServerOptions options;
  options.listen = config.listen;
  options.max_body_bytes = config.max_body_bytes;
  options.read_timeout = config.request_timeout;
  if (config.tls) options.tls = serve::TlsFiles{config.tls->cert, config.tls->key};
  // The base URL names the port only once bound; it is set before the first request is read.
  serving->service_ = std::make_unique<serve::ResultService>(database, config, "");
  serve::ResultService* service = serving->service_.get();
  auto log_mutex = std::make_shared<std::mutex>();
  options.access_log = [service, access_log, log_mutex](const serve::AccessRecord& record) {
    service->metrics().Record(serve::ResultService::RouteOf(record.path), record.status,
                              record.duration_micros / 1e6);
    if (!access_log) return;
    std::string line = AccessLine(record);
    std::lock_guard lock(*log_mutex);
    std::cerr << line << '\n';
  };
  serving->server_ = serve::HttpServer::Start(
      options, [service](const serve::HttpRequest& request, serve::ResponseWriter& response) {
        service->Handle(request, response);
      });
  std::string host = config.listen.substr(0, config.listen.rfind(':'));
  std::string base =
      fmt::format("{}://{}:{}", config.tls ? "https" : "http", host, serving->server_->port());
  service->set_base_url(base);
  console.Print(fmt::format("serving {} at {}/v1/results", workspace, base));
  console.Print(fmt::format("OpenAPI document: {}/openapi.json; metrics: {}/metrics", base, base));
  for (const std::string& name : database.store()->ResultNames()) {
    console.Print(fmt::format("  {}/v1/results/{}", base, name));
  }
  for (const std::string& name : database.models().Names()) {
    console.Print(fmt::format("  POST {}/v1/models/{}/predict", base, name));
  }
  return serving;
}

Serving::~Serving() { Stop(); }

void Serving::Stop() {
  if (server_) server_->Stop();
}

void AddServeCommand(CLI::App& app) {
  struct Options {
    std::string workspace;
    std::string listen;
    bool quiet = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand("serve", kDescription);
  command->footer(kFooter);
  command->add_option("--listen", options->listen,
                      "Address to listen on, host:port (default: serve.listen of sluice.yaml, "
                      "else 127.0.0.1:7070; port 0 picks a free one)");
  command->add_option("--workspace", options->workspace,
                      "Workspace folder (default: the nearest folder upward with .sluice/ or "
                      "sluice.yaml)");
  command->add_flag("--no-access-log", options->quiet, "Do not log each request on stderr");
  command->callback([options] {
    std::string workspace = RequireWorkspace(options->workspace);
    auto database = session::Database::Open(workspace);
    fs::current_path(workspace);
    Console console;
    StopSignals signals("\nstopping: requests in progress finish (again to exit at once)\n");
    auto serving = Serving::Start(*database, workspace, options->listen, !options->quiet, console);
    while (!stop_requested) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    serving->Stop();
    console.Print("stopped");
  });
}

}  // namespace sluice::cli
