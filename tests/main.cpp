// doctest's main for the whole suite. CTest runs each case by name (--test-case=NAME); a name
// that matches nothing would "pass" with zero cases run, so such a run fails here instead.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <string_view>

namespace {

// Remembers how many test cases passed the filters.
struct FilterCount final : doctest::IReporter {
  static inline unsigned matched = 0;
  explicit FilterCount(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats& stats) override {
    matched = stats.numTestCasesPassingFilters;
  }
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};
REGISTER_LISTENER("filter_count", 1, FilterCount);

}  // namespace

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int result = context.run();
  if (context.shouldExit()) return result;  // --help, --list-test-cases, ...
  bool by_name = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    by_name = by_name || arg.rfind("--test-case=", 0) == 0 || arg.rfind("-tc=", 0) == 0;
  }
  if (by_name && FilterCount::matched == 0) {
    std::fprintf(stderr,
                 "no test case matches the --test-case filter (a ';' in a name splits it "
                 "in CTest)\n");
    return 1;
  }
  return result;
}
