// Writes the h2oai db-benchmark "join" data set J1_<N>_NA_0_0 (no NAs, unsorted) and its three
// right-hand tables, following the definition of db-benchmark's _data/join-datagen.R with our
// own random stream (xoshiro256** seeded by splitmix64), so the files are deterministic for a
// seed but differ row by row from the official ones.
//
// Keys: for each of n1 = N/1e6, n2 = N/1e3 and n3 = N, a random permutation of 1..1.1*n is split
// into "common" (0.9 n keys), "left only" (0.1 n) and "right only" (0.1 n). The left table x
// draws its keys from common + left only, the right tables from common + right only, so about
// 90% of x's keys match and every table has keys that do not. Each key column holds every key of
// its pool at least once, topped up with draws with replacement, then shuffled; so id2 is unique
// in medium and id3 is unique in x and big. id4/id5/id6 are "id" + id1/id2/id3. v1 and v2 are
// round(runif(0, 100), 6), written like data.table's fwrite (no trailing zeros).
//
//   x      J1_<N>_NA_0_0.csv        N rows      id1,id2,id3,id4,id5,id6,v1
//   small  J1_<N>_<N/1e6>_0_0.csv   N/1e6 rows  id1,id4,v2
//   medium J1_<N>_<N/1e3>_0_0.csv   N/1e3 rows  id1,id2,id4,id5,v2
//   big    J1_<N>_<N>_0_0.csv       N rows      id1,id2,id3,id4,id5,id6,v2
//
// Usage: join_gen N SEED OUTDIR      (N >= 1e6, may be written 1e7)

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

class Random {
 public:
  explicit Random(uint64_t seed) {
    for (uint64_t& word : state_) {
      uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }
  uint64_t Next() {
    const uint64_t result = Rotate(state_[1] * 5, 7) * 9;
    const uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = Rotate(state_[3], 45);
    return result;
  }
  // Returns a uniform integer in [0, n) (Lemire's method, no modulo bias).
  uint32_t Below(uint32_t n) {
    uint64_t product = static_cast<uint64_t>(static_cast<uint32_t>(Next() >> 32)) * n;
    uint32_t low = static_cast<uint32_t>(product);
    if (low < n) {
      const uint32_t threshold = static_cast<uint32_t>(-n) % n;
      while (low < threshold) {
        product = static_cast<uint64_t>(static_cast<uint32_t>(Next() >> 32)) * n;
        low = static_cast<uint32_t>(product);
      }
    }
    return static_cast<uint32_t>(product >> 32);
  }
  // Returns round(runif(0, 100), 6) as a count of millionths, 0 .. 1e8.
  uint64_t Measure() {
    const double unit = static_cast<double>(Next() >> 11) * 0x1.0p-53;
    return static_cast<uint64_t>(std::llround(unit * 100.0 * 1e6));
  }
  void Shuffle(std::vector<uint32_t>& values) {
    for (size_t i = values.size(); i > 1; --i) {
      std::swap(values[i - 1], values[Below(static_cast<uint32_t>(i))]);
    }
  }

 private:
  static uint64_t Rotate(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

// The key pools of one key column: common to both sides, left (x) only, right (y) only.
struct KeySplit {
  std::vector<uint32_t> left;   // common + left only
  std::vector<uint32_t> right;  // common + right only
};

KeySplit SplitKeys(uint32_t n, Random& random) {
  const uint32_t extra = static_cast<uint32_t>(std::llround(n * 0.1));
  const uint32_t common = n - extra;
  std::vector<uint32_t> keys(n + extra);
  for (uint32_t i = 0; i < keys.size(); ++i) keys[i] = i + 1;
  random.Shuffle(keys);
  KeySplit split;
  split.left.assign(keys.begin(), keys.begin() + n);
  split.right.assign(keys.begin(), keys.begin() + common);
  split.right.insert(split.right.end(), keys.begin() + n, keys.end());
  return split;
}

// Returns `size` keys holding every key of `pool` at least once, in random order.
std::vector<uint32_t> SampleAll(const std::vector<uint32_t>& pool, uint32_t size, Random& random) {
  std::vector<uint32_t> values(pool);
  values.reserve(std::max<size_t>(size, pool.size()));
  while (values.size() < size) {
    values.push_back(pool[random.Below(static_cast<uint32_t>(pool.size()))]);
  }
  random.Shuffle(values);
  return values;
}

class CsvWriter {
 public:
  CsvWriter(const std::string& path, const char* header) : buffer_(1 << 22) {
    file_ = std::fopen(path.c_str(), "wb");
    if (file_ == nullptr) {
      std::perror(path.c_str());
      std::exit(1);
    }
    Text(header);
  }
  ~CsvWriter() {
    Flush();
    if (std::fclose(file_) != 0) {
      std::perror("fclose");
      std::exit(1);
    }
  }
  void Text(const char* text) {
    const size_t length = std::strlen(text);
    Reserve(length);
    std::memcpy(&buffer_[used_], text, length);
    used_ += length;
  }
  void Integer(uint64_t value) {
    Reserve(24);
    char digits[24];
    int count = 0;
    do {
      digits[count++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0);
    while (count > 0) buffer_[used_++] = digits[--count];
  }
  // Writes "id<key>," and the like: a prefix, an integer, a separator.
  void Field(const char* prefix, uint64_t value, char separator) {
    Text(prefix);
    Integer(value);
    buffer_[used_++] = separator;
  }
  // Writes millionths as the shortest decimal, the way fwrite writes round(x, 6).
  void Measure(uint64_t millionths) {
    Integer(millionths / 1000000);
    uint64_t fraction = millionths % 1000000;
    if (fraction == 0) return;
    char digits[6];
    for (int k = 5; k >= 0; --k, fraction /= 10) digits[k] = static_cast<char>('0' + fraction % 10);
    int length = 6;
    while (digits[length - 1] == '0') --length;
    buffer_[used_++] = '.';
    std::memcpy(&buffer_[used_], digits, length);
    used_ += length;
  }
  void EndRow() { buffer_[used_++] = '\n'; }

 private:
  void Reserve(size_t bytes) {
    if (used_ + bytes + 64 > buffer_.size()) Flush();
  }
  void Flush() {
    if (std::fwrite(buffer_.data(), 1, used_, file_) != used_) {
      std::perror("fwrite");
      std::exit(1);
    }
    used_ = 0;
  }

  std::FILE* file_;
  std::vector<char> buffer_;
  size_t used_ = 0;
};

// Returns R's pretty_sci of join-datagen.R: the first digit, "e", the number of other digits.
std::string PrettySci(uint64_t value) {
  const std::string digits = std::to_string(value);
  return digits.substr(0, 1) + "e" + std::to_string(digits.size() - 1);
}

uint64_t ParseCount(const char* text) {
  const double value = std::strtod(text, nullptr);
  if (!(value >= 1e6) || value > 2e9) {
    std::fprintf(stderr, "N must be between 1e6 and 2e9: %s\n", text);
    std::exit(2);
  }
  return static_cast<uint64_t>(std::llround(value));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: join_gen N SEED OUTDIR\n");
    return 2;
  }
  const uint32_t rows = static_cast<uint32_t>(ParseCount(argv[1]));
  Random random(std::strtoull(argv[2], nullptr, 10));
  const std::string prefix = std::string(argv[3]) + "/J1_" + PrettySci(rows) + "_";
  const uint32_t small_rows = rows / 1000000;
  const uint32_t medium_rows = rows / 1000;
  const KeySplit key1 = SplitKeys(small_rows, random);
  const KeySplit key2 = SplitKeys(medium_rows, random);
  const KeySplit key3 = SplitKeys(rows, random);
  {
    const std::vector<uint32_t> id1 = SampleAll(key1.left, rows, random);
    const std::vector<uint32_t> id2 = SampleAll(key2.left, rows, random);
    const std::vector<uint32_t> id3 = SampleAll(key3.left, rows, random);
    CsvWriter out(prefix + "NA_0_0.csv", "id1,id2,id3,id4,id5,id6,v1\n");
    for (uint32_t i = 0; i < rows; ++i) {
      out.Field("", id1[i], ',');
      out.Field("", id2[i], ',');
      out.Field("", id3[i], ',');
      out.Field("id", id1[i], ',');
      out.Field("id", id2[i], ',');
      out.Field("id", id3[i], ',');
      out.Measure(random.Measure());
      out.EndRow();
    }
  }
  {
    const std::vector<uint32_t> id1 = SampleAll(key1.right, small_rows, random);
    CsvWriter out(prefix + PrettySci(small_rows) + "_0_0.csv", "id1,id4,v2\n");
    for (uint32_t i = 0; i < small_rows; ++i) {
      out.Field("", id1[i], ',');
      out.Field("id", id1[i], ',');
      out.Measure(random.Measure());
      out.EndRow();
    }
  }
  {
    const std::vector<uint32_t> id1 = SampleAll(key1.right, medium_rows, random);
    const std::vector<uint32_t> id2 = SampleAll(key2.right, medium_rows, random);
    CsvWriter out(prefix + PrettySci(medium_rows) + "_0_0.csv", "id1,id2,id4,id5,v2\n");
    for (uint32_t i = 0; i < medium_rows; ++i) {
      out.Field("", id1[i], ',');
      out.Field("", id2[i], ',');
      out.Field("id", id1[i], ',');
      out.Field("id", id2[i], ',');
      out.Measure(random.Measure());
      out.EndRow();
    }
  }
  const std::vector<uint32_t> id1 = SampleAll(key1.right, rows, random);
  const std::vector<uint32_t> id2 = SampleAll(key2.right, rows, random);
  const std::vector<uint32_t> id3 = SampleAll(key3.right, rows, random);
  CsvWriter out(prefix + PrettySci(rows) + "_0_0.csv", "id1,id2,id3,id4,id5,id6,v2\n");
  for (uint32_t i = 0; i < rows; ++i) {
    out.Field("", id1[i], ',');
    out.Field("", id2[i], ',');
    out.Field("", id3[i], ',');
    out.Field("id", id1[i], ',');
    out.Field("id", id2[i], ',');
    out.Field("id", id3[i], ',');
    out.Measure(random.Measure());
    out.EndRow();
  }
  return 0;
}
