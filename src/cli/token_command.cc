#include "cli/token_command.h"

#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include "base/error.h"
#include "serve/auth.h"

namespace sluice::cli {
namespace {

// Returns standard input without the line break that `echo` or a terminal adds.
std::string ReadSecret() {
  std::string secret((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

void PrintHash(const std::string* secret_argument) {
  std::string secret = secret_argument != nullptr ? *secret_argument : ReadSecret();
  if (secret.empty()) Throw<UserError>("the secret is empty");
  std::cout << serve::Sha256Hex(secret) << '\n';
}

}  // namespace

void AddTokenCommand(CLI::App& app) {
  CLI::App* token = app.add_subcommand("token", "Bearer tokens of `sluice serve`");
  token->require_subcommand(1);
  auto secret = std::make_shared<std::string>();
  CLI::App* hash = token->add_subcommand(
      "hash",
      "Print the SHA-256 of a token's secret, to paste as `sha256:` under serve.tokens in "
      "sluice.yaml (the secret itself stays out of the file). Without SECRET it is read from "
      "standard input, which keeps it out of the shell history: "
      "`openssl rand -hex 32 | tee secret.txt | sluice token hash`");
  CLI::Option* option = hash->add_option("secret", *secret, "The secret (default: stdin)");
  hash->callback([secret, option] { PrintHash(option->count() > 0 ? secret.get() : nullptr); });
}

}  // namespace sluice::cli
