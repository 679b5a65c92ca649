#include "base/text_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/error.h"

namespace sluice {

std::string ReadTextFile(const std::string& path, std::string_view what) {
  auto fail = [&] {
    Throw<IoError>("cannot read {}{}'{}': {}", what, what.empty() ? "" : " ", path,
                   std::strerror(errno));
  };
  std::ifstream file(path, std::ios::binary);
  if (!file) fail();
  std::stringstream text;
  text << file.rdbuf();
  if (file.bad()) fail();
  return text.str();
}

}  // namespace sluice
