#include "cli/sql_command.h"

#include <editline/readline.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "base/error.h"
#include "base/text_file.h"
#include "cli/ranks.h"
#include "cli/result_printer.h"
#include "cli/workspace_options.h"
#include "session/database.h"
#include "sql/parse_error.h"
#include "sql/parser.h"

namespace sluice::cli {
namespace {

struct SqlOptions {
  std::string command;
  std::string file;
  std::string format = "table";
  bool timer = false;
  WorkspaceOptions workspace;
};

bool ReturnsRows(const sql::Statement& statement) {
  return statement.kind == sql::StatementKind::kSelect ||
         statement.kind == sql::StatementKind::kExplain ||
         statement.kind == sql::StatementKind::kShow;
}

class Shell {
 public:
  // Runs queries across `ranks` when it has several; rank 0 prints, the others run silently.
  Shell(SqlOptions options, cluster::Communicator& ranks)
      : options_(std::move(options)),
        format_(*OutputFormatFromName(options_.format)),
        database_(OpenDatabase(options_.workspace)),
        prints_(ranks.rank() == 0) {
    if (ranks.size() > 1) connection_.set_ranks(&ranks);
    connection_.set_select_rows_on_first_rank(true);  // only rank 0 prints
  }

  // Runs the statements of `sql`, printing the rows of each query and the result of the last
  // statement; returns false (after printing the error) on a user error.
  bool Run(const std::string& sql) {
    try {
      auto statements = sql::ParseSql(sql);
      for (size_t i = 0; i < statements.size(); ++i) {
        auto start = std::chrono::steady_clock::now();
        session::QueryResult result = connection_.Run(*statements[i]);
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!prints_) continue;
        if (ReturnsRows(*statements[i]) || i + 1 == statements.size()) {
          PrintRows(std::cout, {*result.schema, result.batches}, format_);
        }
        if (options_.timer) std::cerr << fmt::format("Run Time: {:.4f} s\n", seconds);
      }
      return true;
    } catch (const sql::ParseError& error) {
      if (prints_) {
        std::cerr << "Error: " << error.what() << '\n'
                  << sql::RenderErrorContext(sql, error.location()) << '\n';
      }
    } catch (const UserError& error) {
      // Every rank fails alike (see cluster::AgreeOnFailure): rank 0 says why.
      if (prints_) std::cerr << "Error: " << error.what() << '\n';
    }
    return false;
  }

  // Runs the interactive loop until end of input or .quit.
  void Interactive() {
    bool tty = isatty(STDIN_FILENO);
    std::string history = HistoryPath();
    if (tty) {
      std::cout << "sluice SQL shell: end statements with ';', .help for commands\n";
      if (!history.empty()) read_history(history.c_str());
    }
    std::string pending;
    while (true) {
      char* raw = tty ? readline(pending.empty() ? "sluice> " : "   ...> ") : ReadPlainLine();
      if (raw == nullptr) break;
      std::string line(raw);
      free(raw);
      if (pending.empty() && !line.empty() && line[0] == '.') {
        if (!DotCommand(line)) break;
        continue;
      }
      pending += (pending.empty() ? "" : "\n") + line;
      if (line.find_last_not_of(" \t") != std::string::npos &&
          line[line.find_last_not_of(" \t")] == ';') {
        if (tty) add_history(pending.c_str());
        Run(pending);
        pending.clear();
      }
    }
    if (!pending.empty()) Run(pending);
    if (tty && !history.empty()) write_history(history.c_str());
  }

 private:
  // Returns where the shell keeps its history across sessions (~/.sluice_history), or "".
  static std::string HistoryPath() {
    const char* home = std::getenv("HOME");
    return home == nullptr ? "" : std::string(home) + "/.sluice_history";
  }

  static char* ReadPlainLine() {
    std::string line;
    if (!std::getline(std::cin, line)) return nullptr;
    return strdup(line.c_str());
  }

  // Handles a dot command; returns false to quit.
  bool DotCommand(const std::string& line) {
    std::istringstream words(line);
    std::string command, argument;
    words >> command >> argument;
    if (command == ".quit" || command == ".exit") return false;
    if (command == ".tables") {
      Run("SHOW TABLES");
    } else if (command == ".schema") {
      ShowSchema(argument);
    } else if (command == ".timer") {
      options_.timer = argument == "on";
    } else if (command == ".mode" && OutputFormatFromName(argument)) {
      format_ = *OutputFormatFromName(argument);
    } else {
      std::cout << ".help              this text\n"
                   ".tables            list tables\n"
                   ".schema [TABLE]    columns and types\n"
                   ".timer on|off      print each statement's run time\n"
                   ".mode table|csv|json|markdown   output format\n"
                   ".quit              leave the shell\n";
    }
    return true;
  }

  void ShowSchema(const std::string& only) {
    for (const std::string& name : database_->TableNames()) {
      if (!only.empty() && name != only) continue;
      auto table = database_->FindTable(name);
      if (table == nullptr) continue;  // a view
      std::cout << "CREATE TABLE " << name << " (" << table->schema->ToString() << ");\n";
    }
  }

  SqlOptions options_;
  OutputFormat format_;
  std::unique_ptr<session::Database> database_;
  session::Connection connection_{*database_};
  bool prints_;
};

}  // namespace

void AddSqlCommand(CLI::App& app) {
  auto options = std::make_shared<SqlOptions>();
  CLI::App* command = app.add_subcommand(
      "sql",
      "Run SQL: an interactive shell, or the statements of -c or a .sql file. In a workspace "
      "(see `sluice init`) CREATE TABLE stores a new version of a result and CREATE MODEL a new "
      "version of a model (BigQuery ML syntax; ML.PREDICT, ML.EVALUATE, ...); CREATE TEMP TABLE "
      "stays in memory. Under a launcher (`mpirun -np N sluice sql -c ...`, `srun --mpi=pmix`) "
      "every rank runs the statements, queries split across the ranks, rank 0 prints and alone "
      "writes to the workspace");
  command->add_option("-c,--command", options->command, "SQL statements to run, then exit");
  command->add_option("file", options->file, "A .sql file to run, then exit");
  command->add_option("--format", options->format, "Output: table, csv, json or markdown")
      ->check(CLI::IsMember({"table", "csv", "json", "markdown"}))
      ->capture_default_str();
  command->add_flag("--timer", options->timer,
                    "Print each statement's run time on stderr (\"Run Time: 0.1234 s\")");
  AddWorkspaceOptions(*command, options->workspace);
  command->callback([options] {
    bool succeeded = true;
    {
      // Ends the MPI run (if any) before an exit code unwinds: every rank got here alike.
      std::unique_ptr<cluster::Communicator> ranks = JoinRanks();
      Shell shell(*options, *ranks);
      if (!options->command.empty() || !options->file.empty()) {
        std::string sql = options->command.empty() ? ReadTextFile(options->file) : options->command;
        succeeded = shell.Run(sql);
      } else if (ranks->size() > 1) {
        if (ranks->rank() == 0) {
          std::cerr << "Error: the interactive shell runs on one rank: under a launcher give -c "
                       "or a file\n";
        }
        succeeded = false;
      } else {
        shell.Interactive();
      }
    }
    if (!succeeded) throw ExitCode{1};
  });
}

}  // namespace sluice::cli
