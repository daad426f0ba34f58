// A core that publishes (ABI 1.3) good and bad names at once: the host takes the good ones and
// leaves the rest out, saying which.
#include <mmhost/sdk/plugin.hpp>

#include <cmath>
#include <limits>

namespace {

class PublishingCore {
 public:
  PublishingCore(const mmh::sdk::Config&, void*) {}
  void on_events(const mmh_batch& batch) { seen_ += batch.count; }

  void publish(mmh_core_publication& out) {
    metrics_[0] = {"ok.count", MMH_METRIC_COUNTER, 0, static_cast<double>(seen_)};
    out.metric_count = sizeof(metrics_) / sizeof(metrics_[0]);
    out.metrics = metrics_;
    out.bar_value_count = sizeof(kBarValues) / sizeof(kBarValues[0]);
    out.bar_values = kBarValues;
    out.band_count = 1;
    out.bands = &kBand;
    out.marker_count = sizeof(kMarkers) / sizeof(kMarkers[0]);
    out.markers = kMarkers;
  }

 private:
  static constexpr const char* kBarValues[] = {"state", "bad,column"};
  static constexpr mmh_core_band kBand = {"busy", 0x11223344u, 0};
  static constexpr mmh_core_marker kMarkers[] = {
      {"signal", "up", "Sig", MMH_MARKER_ARROW_UP, MMH_MARKER_BELOW, 0xFF0000FFu, 0},
      {"signal", nullptr, "bad shape", 9, MMH_MARKER_BELOW, 0, 0},
      {"<script>", nullptr, "x", MMH_MARKER_CIRCLE, MMH_MARKER_ABOVE, 0, 0}};
  size_t seen_ = 0;
  mmh_core_metric metrics_[7] = {
      {"ok.count", MMH_METRIC_COUNTER, 0, 0},
      {"ok.share", MMH_METRIC_GAUGE, 0, 0.25},
      {"fills.total", MMH_METRIC_COUNTER, 0, 7},
      {"bad\"quote", MMH_METRIC_COUNTER, 0, 1},
      {"a..b", MMH_METRIC_COUNTER, 0, 1},
      {"not.finite", MMH_METRIC_GAUGE, 0, std::numeric_limits<double>::quiet_NaN()},
      {"odd.type", 7, 0, 1}};
};

}  // namespace

MMH_SDK_PLUGIN("publishing", "1.0.0", "Test plugin: publishes good and bad names",
               mmh::sdk::core<PublishingCore>)
