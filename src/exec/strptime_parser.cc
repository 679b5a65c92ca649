#include "exec/strptime_parser.h"

#include "core/datetime.h"

namespace sluice::exec {
namespace {

constexpr std::string_view kMonths[] = {"january",   "february", "march",    "april",
                                        "may",       "june",     "july",     "august",
                                        "september", "october",  "november", "december"};
constexpr std::string_view kDays[] = {"sunday",   "monday", "tuesday", "wednesday",
                                      "thursday", "friday", "saturday"};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

struct Fields {
  int64_t year = 1970;
  int64_t month = 1;
  int64_t day = 1;
  int64_t day_of_year = 0;
  int64_t hour = 0;
  int64_t minute = 0;
  int64_t second = 0;
  int64_t micros = 0;
  int64_t offset_minutes = 0;
  int pm = -1;  // -1 without %p
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  bool Code(char code, Fields& fields) {
    switch (code) {
      case 'Y':
        return Number(1, 4, fields.year);
      case 'm':
        return Number(1, 2, fields.month);
      case 'd':
      case 'e':
        Spaces();
        return Number(1, 2, fields.day);
      case 'H':
        return Number(1, 2, fields.hour);
      case 'I':
        return Number(1, 2, fields.hour);
      case 'M':
        return Number(1, 2, fields.minute);
      case 'S':
        return Number(1, 2, fields.second);
      case 'j':
        return Number(1, 3, fields.day_of_year);
      case 'f':
        return Fraction(fields.micros);
      case 'y':
        if (!Number(2, 2, fields.year)) return false;
        fields.year += fields.year < 69 ? 2000 : 1900;
        return true;
      case 'p':
        return AmPm(fields.pm);
      case 'b':
      case 'h':
      case 'B': {
        int64_t index;
        if (!Name(kMonths, index)) return false;
        fields.month = index + 1;
        return true;
      }
      case 'a':
      case 'A': {
        int64_t ignored;
        return Name(kDays, ignored);
      }
      case 'z':
        return Offset(fields.offset_minutes);
      case 'Z':
        while (pos_ < text_.size() && Lower(text_[pos_]) >= 'a' && Lower(text_[pos_]) <= 'z')
          ++pos_;
        return true;
      case 'F':
        return Code('Y', fields) && Literal('-') && Code('m', fields) && Literal('-') &&
               Code('d', fields);
      case 'T':
        return Code('H', fields) && Literal(':') && Code('M', fields) && Literal(':') &&
               Code('S', fields);
      case '%':
        return Literal('%');
      default:
        return false;
    }
  }
  bool Literal(char c) {
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  void Spaces() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  }
  bool AtEnd() const { return pos_ == text_.size(); }

 private:
  bool Number(int min_digits, int max_digits, int64_t& out) {
    int digits = 0;
    out = 0;
    while (digits < max_digits && pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      out = out * 10 + (text_[pos_++] - '0');
      ++digits;
    }
    return digits >= min_digits;
  }
  bool Fraction(int64_t& micros) {
    int64_t scale = 100000;
    size_t start = pos_;
    micros = 0;
    while (pos_ < text_.size() && pos_ - start < 6 && text_[pos_] >= '0' && text_[pos_] <= '9') {
      micros += (text_[pos_++] - '0') * scale;
      scale /= 10;
    }
    return pos_ > start;
  }
  bool AmPm(int& pm) {
    if (pos_ + 2 > text_.size() || Lower(text_[pos_ + 1]) != 'm') return false;
    char first = Lower(text_[pos_]);
    if (first != 'a' && first != 'p') return false;
    pm = first == 'p';
    pos_ += 2;
    return true;
  }
  // Matches a full English name or its first three letters, case-insensitively.
  template <size_t N>
  bool Name(const std::string_view (&names)[N], int64_t& index) {
    for (size_t k = 0; k < N; ++k) {
      for (size_t length : {names[k].size(), size_t{3}}) {
        if (pos_ + length > text_.size()) continue;
        bool same = true;
        for (size_t c = 0; c < length && same; ++c) same = Lower(text_[pos_ + c]) == names[k][c];
        if (!same) continue;
        pos_ += length;
        index = static_cast<int64_t>(k);
        return true;
      }
    }
    return false;
  }
  bool Offset(int64_t& minutes) {
    if (Literal('Z')) return true;
    if (pos_ >= text_.size() || (text_[pos_] != '+' && text_[pos_] != '-')) return false;
    int sign = text_[pos_++] == '-' ? -1 : 1;
    int64_t hours, rest = 0;
    if (!Number(2, 2, hours)) return false;
    Literal(':');
    if (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9' && !Number(2, 2, rest)) {
      return false;
    }
    minutes = sign * (hours * 60 + rest);
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

std::optional<int64_t> Combine(Fields fields) {
  if (fields.pm >= 0) {
    if (fields.hour < 1 || fields.hour > 12) return std::nullopt;
    fields.hour = fields.hour % 12 + (fields.pm ? 12 : 0);
  }
  if (fields.hour > 23 || fields.minute > 59 || fields.second > 60) return std::nullopt;
  int32_t year = static_cast<int32_t>(fields.year);
  int64_t days;
  if (fields.day_of_year > 0) {
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (fields.day_of_year > 365 + leap) return std::nullopt;
    days = core::DaysFromCivil({year, 1, 1}) + fields.day_of_year - 1;
  } else {
    if (!core::IsValidDate(year, static_cast<int32_t>(fields.month),
                           static_cast<int32_t>(fields.day))) {
      return std::nullopt;
    }
    days = core::DaysFromCivil(
        {year, static_cast<int32_t>(fields.month), static_cast<int32_t>(fields.day)});
  }
  int64_t seconds =
      fields.hour * 3600 + fields.minute * 60 + fields.second - fields.offset_minutes * 60;
  return days * core::kMicrosPerDay + seconds * core::kMicrosPerSecond + fields.micros;
}

}  // namespace

std::optional<int64_t> ParseWithFormat(std::string_view text, std::string_view format) {
  Parser parser(text);
  Fields fields;
  for (size_t k = 0; k < format.size(); ++k) {
    char c = format[k];
    if (c == '%') {
      if (++k == format.size() || !parser.Code(format[k], fields)) return std::nullopt;
    } else if (IsSpace(c)) {
      parser.Spaces();
    } else if (!parser.Literal(c)) {
      return std::nullopt;
    }
  }
  if (!parser.AtEnd()) return std::nullopt;
  return Combine(fields);
}

}  // namespace sluice::exec
