/*
 * mmhost plugin ABI — the whole contract between the mmhost host and its plugins.
 *
 * A plugin is a shared library that exports exactly one symbol, `mmh_plugin_init`, returning a
 * manifest (`mmh_plugin`). Everything the plugin can do is reachable from that manifest; every
 * service the host offers is reachable from `mmh_host_api`. C++ types, exceptions and Asio objects
 * never cross this boundary.
 *
 * Rules (see docs/plugin-abi.md for the full guide and a complete minimal plugin):
 *  - Versioning: MMH_ABI_MAJOR changes only on incompatible changes; the host refuses any other
 *    major. MMH_ABI_MINOR grows when something is appended; the host refuses a plugin built
 *    against a newer minor than its own (it might call host functions the host does not have).
 *  - Every struct that is passed by pointer begins with `uint32_t size` (sizeof at the writer's
 *    build) and only ever grows at its end. A reader uses only the prefix it knows, and treats a
 *    field past `size` as absent (zero). Records inside a batch carry no size: the batch carries
 *    `record_size` (the stride) instead.
 *  - Status 0 is success (MMH_OK); every enum's 0 value means "invalid/unset".
 *  - Borrowed pointers ({ptr,len}, strings, batches, configs) are valid only during the call.
 *    Whoever allocates frees.
 *  - No exception may cross the boundary; fallible calls take an `mmh_error*` that the callee
 *    fills with a message on failure.
 *  - Prices and quantities at the order boundary are integers: ticks and lots of the instrument.
 *    Market data prices and sizes are fixed-point integers with 8 decimals (`*_e8`), which is
 *    exact for every exchange feed mmhost reads and keeps backtests bit-reproducible.
 *  - Times are nanoseconds since the Unix epoch (UTC), `int64_t`, named `*_ns`.
 */
#ifndef MMHOST_PLUGIN_H
#define MMHOST_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MMH_ABI_MAJOR 1
#define MMH_ABI_MINOR 6

/* The one symbol a plugin exports. */
#define MMH_PLUGIN_ENTRY_SYMBOL "mmh_plugin_init"

#if defined(__GNUC__)
#define MMH_EXPORT __attribute__((visibility("default")))
#else
#define MMH_EXPORT
#endif

/* Fixed-point scale of market-data prices and sizes: value = x_e8 / MMH_E8. */
#define MMH_E8 100000000LL

/* ------------------------------------------------------------------------------------------ */
/* Status and errors                                                                           */
/* ------------------------------------------------------------------------------------------ */

typedef int32_t mmh_status;
#define MMH_OK 0
#define MMH_ERR_INVALID_ARGUMENT 1 /* a parameter or config value is wrong */
#define MMH_ERR_NOT_SUPPORTED 2    /* the plugin does not implement this call */
#define MMH_ERR_IO 3               /* file or network failure */
#define MMH_ERR_DATA 4             /* input data is malformed */
#define MMH_ERR_STATE 5            /* call not valid in the current state */
#define MMH_ERR_INTERNAL 6         /* a bug or an unexpected exception */

#define MMH_ERROR_MESSAGE_CAPACITY 1024

/* Caller-allocated error report: the callee writes a NUL-terminated message on failure. */
typedef struct mmh_error {
  uint32_t size;
  char message[MMH_ERROR_MESSAGE_CAPACITY];
} mmh_error;

/* A borrowed string that need not be NUL-terminated. */
typedef struct mmh_str {
  const char* data;
  size_t length;
} mmh_str;

/* An exact decimal: value = mantissa * 10^exponent (e.g. tick 0.01 = {1, -2}). */
typedef struct mmh_decimal {
  int64_t mantissa;
  int32_t exponent;
  int32_t reserved;
} mmh_decimal;

/* ------------------------------------------------------------------------------------------ */
/* Enumerations (stored in uint32_t fields; 0 is always invalid)                               */
/* ------------------------------------------------------------------------------------------ */

/* Event kinds. */
#define MMH_EVENT_CANDLE 1
#define MMH_EVENT_TRADE 2
#define MMH_EVENT_BOOK_SNAPSHOT 3
#define MMH_EVENT_BOOK_DELTA 4
#define MMH_EVENT_TICKER 5 /* best bid/ask */
#define MMH_EVENT_INSTRUMENT 6
#define MMH_EVENT_ORDER_COMMAND 7
#define MMH_EVENT_ORDER_UPDATE 8
#define MMH_EVENT_FILL 9
#define MMH_EVENT_BALANCE 10
#define MMH_EVENT_DECISION 11   /* a core's report of a decision (mmh_decision) */
#define MMH_EVENT_KIND_COUNT 12 /* one past the largest kind */
#define MMH_EVENT_BIT(kind) (UINT64_C(1) << (kind))

/* Plugin kinds (bit mask). */
#define MMH_KIND_DATA 1u  /* brings market events in */
#define MMH_KIND_VENUE 2u /* executes order commands */
#define MMH_KIND_CORE 4u  /* makes decisions from events */
#define MMH_KIND_ALL (MMH_KIND_DATA | MMH_KIND_VENUE | MMH_KIND_CORE)

/* Sides. For trades, the taker (aggressor) side. */
#define MMH_SIDE_BUY 1
#define MMH_SIDE_SELL 2

#define MMH_ORDER_TYPE_LIMIT 1
#define MMH_ORDER_TYPE_MARKET 2

#define MMH_TIF_GTC 1
#define MMH_TIF_POST_ONLY 2
#define MMH_TIF_IOC 3
#define MMH_TIF_FOK 4

#define MMH_ORDER_ACTION_PLACE 1
#define MMH_ORDER_ACTION_AMEND 2
#define MMH_ORDER_ACTION_CANCEL 3
#define MMH_ORDER_ACTION_CANCEL_ALL 4

/* Unit of a market order's quantity (spot market buys default to quote on Bybit). */
#define MMH_MARKET_UNIT_BASE 1
#define MMH_MARKET_UNIT_QUOTE 2

#define MMH_ORDER_STATUS_NEW 1
#define MMH_ORDER_STATUS_PARTIALLY_FILLED 2
#define MMH_ORDER_STATUS_FILLED 3
#define MMH_ORDER_STATUS_CANCELLED 4
#define MMH_ORDER_STATUS_PARTIALLY_FILLED_CANCELLED 5
#define MMH_ORDER_STATUS_REJECTED 6

/* Log levels for mmh_host_api.log. */
#define MMH_LOG_TRACE 1
#define MMH_LOG_DEBUG 2
#define MMH_LOG_INFO 3
#define MMH_LOG_WARN 4
#define MMH_LOG_ERROR 5

/* Candle flags. */
#define MMH_CANDLE_PARTIAL 1u /* built from fewer source bars than its interval holds */

#define MMH_CLIENT_ID_CAPACITY 40 /* Bybit orderLinkId is <= 36 chars, plus NUL */
#define MMH_VENUE_ID_CAPACITY 40
#define MMH_ASSET_CAPACITY 16
#define MMH_SYMBOL_CAPACITY 32

/* ------------------------------------------------------------------------------------------ */
/* Event records. Records travel in batches (mmh_batch) of one kind; they carry no size field. */
/* ------------------------------------------------------------------------------------------ */

/* A closed OHLCV bar. It becomes known at open_ts_ns + interval_ns. */
typedef struct mmh_candle {
  int64_t open_ts_ns;
  int64_t interval_ns;
  int64_t open_e8;
  int64_t high_e8;
  int64_t low_e8;
  int64_t close_e8;
  int64_t volume_e8; /* base asset */
  uint32_t symbol_id;
  uint32_t flags; /* MMH_CANDLE_* */
} mmh_candle;

typedef struct mmh_trade {
  int64_t ts_ns;
  int64_t price_e8;
  int64_t qty_e8;    /* base asset */
  uint64_t trade_id; /* 0 when the source has none */
  uint32_t symbol_id;
  uint32_t taker_side; /* MMH_SIDE_* */
} mmh_trade;

typedef struct mmh_book_level {
  int64_t price_e8;
  int64_t qty_e8; /* absolute size at the level; 0 removes it (deltas) */
} mmh_book_level;

/* One book message: a snapshot replaces the book, a delta updates levels. */
typedef struct mmh_book_update {
  int64_t ts_ns;
  uint64_t update_id;
  uint32_t symbol_id;
  uint32_t bid_count;
  uint32_t ask_count;
  uint32_t reserved;
  const mmh_book_level* bids; /* best first; borrowed for the call */
  const mmh_book_level* asks;
} mmh_book_update;

typedef struct mmh_ticker {
  int64_t ts_ns;
  int64_t bid_price_e8;
  int64_t bid_qty_e8;
  int64_t ask_price_e8;
  int64_t ask_qty_e8;
  uint32_t symbol_id;
  uint32_t reserved;
} mmh_ticker;

/* Trading rules of one symbol; feeds order rounding. */
typedef struct mmh_instrument {
  int64_t ts_ns;
  uint32_t symbol_id;
  uint32_t reserved;
  char symbol[MMH_SYMBOL_CAPACITY];
  char base_asset[MMH_ASSET_CAPACITY];
  char quote_asset[MMH_ASSET_CAPACITY];
  mmh_decimal tick_size;       /* price increment */
  mmh_decimal lot_size;        /* base quantity increment */
  mmh_decimal min_order_qty;   /* base; 0 = no minimum */
  mmh_decimal min_order_value; /* quote; 0 = no minimum */
} mmh_instrument;

/* A command from the host's order manager to a venue. */
typedef struct mmh_order_command {
  int64_t ts_ns;
  uint32_t action; /* MMH_ORDER_ACTION_* */
  uint32_t symbol_id;
  uint32_t side;          /* MMH_SIDE_* */
  uint32_t order_type;    /* MMH_ORDER_TYPE_* */
  uint32_t time_in_force; /* MMH_TIF_* */
  uint32_t market_unit;   /* MMH_MARKET_UNIT_*; market orders only */
  int64_t price_ticks;    /* limit orders */
  int64_t qty_lots;       /* base quantity in lots, or for a quote-unit market order the quote
                             amount in units of 1e-8 */
  char client_id[MMH_CLIENT_ID_CAPACITY];
} mmh_order_command;

typedef struct mmh_order_update {
  int64_t ts_ns;
  uint32_t symbol_id;
  uint32_t status; /* MMH_ORDER_STATUS_* */
  uint32_t side;
  uint32_t action; /* MMH_ORDER_ACTION_* of the command a REJECTED update answers; 0 otherwise */
  int64_t price_ticks;
  int64_t qty_lots;
  int64_t filled_qty_lots;
  int64_t leaves_qty_lots;
  char client_id[MMH_CLIENT_ID_CAPACITY];
  char venue_order_id[MMH_VENUE_ID_CAPACITY];
  char reject_reason[64];
} mmh_order_update;

typedef struct mmh_fill {
  int64_t ts_ns;
  uint32_t symbol_id;
  uint32_t side;
  int64_t price_ticks;
  int64_t qty_lots;
  mmh_decimal fee; /* positive = paid, negative = rebate */
  char fee_asset[MMH_ASSET_CAPACITY];
  uint32_t is_maker; /* 1 maker, 0 taker */
  uint32_t reserved;
  char client_id[MMH_CLIENT_ID_CAPACITY];
  char venue_order_id[MMH_VENUE_ID_CAPACITY];
  char exec_id[MMH_VENUE_ID_CAPACITY];
} mmh_fill;

typedef struct mmh_balance {
  int64_t ts_ns;
  char asset[MMH_ASSET_CAPACITY];
  mmh_decimal free;
  mmh_decimal locked;
} mmh_balance;

#define MMH_DECISION_KIND_CAPACITY 32
#define MMH_DECISION_DETAIL_CAPACITY 224

/* A decision a core reports: what happened and the numbers that caused it. The vocabulary is the
 * core's own (bos_mm: bos_confirmed, transition, grid_updated, ...); the host counts, hashes and
 * prints them without interpreting them. */
typedef struct mmh_decision {
  int64_t ts_ns;
  char kind[MMH_DECISION_KIND_CAPACITY];     /* NUL-terminated [a-z0-9_]+ */
  char detail[MMH_DECISION_DETAIL_CAPACITY]; /* NUL-terminated, e.g. "bullish level=3512.1 ..."
                                                (a first word without '=' or ':' is a sub-kind) */
} mmh_decision;

/* One order a core wants resting. */
typedef struct mmh_desired_order {
  uint32_t side;       /* MMH_SIDE_* */
  uint32_t order_type; /* MMH_ORDER_TYPE_LIMIT, or MARKET when it must fill now */
  int64_t price_ticks; /* limit price; for market orders the reference price */
  int64_t qty_lots;    /* base quantity */
} mmh_desired_order;

/* The complete set of orders a core wants resting now ("no orders" is count 0). */
typedef struct mmh_desired_state {
  uint32_t size;
  uint32_t reserved;
  size_t count;
  const mmh_desired_order* orders; /* borrowed until the next call on the instance */
  char mode[16];                   /* the core's name for the set, e.g. "grid"; NUL-terminated */
} mmh_desired_state;

/* A contiguous run of records of one kind, sorted by time. Borrowed: valid until the next call
 * on the same source (pull) or the end of the call (push). */
typedef struct mmh_batch {
  uint32_t size;
  uint32_t kind;        /* MMH_EVENT_* */
  uint32_t record_size; /* stride between records: sizeof the record at the writer's build */
  uint32_t reserved;
  size_t count;
  const void* records;
} mmh_batch;

/* ------------------------------------------------------------------------------------------ */
/* Configuration handed to a plugin instance: flat string key/value pairs.                    */
/* ------------------------------------------------------------------------------------------ */

typedef struct mmh_config_item {
  const char* key;   /* dotted path, e.g. "file" or "book.depth" */
  const char* value; /* always a string; the plugin parses it */
} mmh_config_item;

typedef struct mmh_config {
  uint32_t size;
  uint32_t reserved;
  size_t count;
  const mmh_config_item* items;
} mmh_config;

/* ------------------------------------------------------------------------------------------ */
/* What the host offers a plugin. Valid from mmh_plugin_init until the plugin is unloaded.    */
/* ------------------------------------------------------------------------------------------ */

typedef void (*mmh_timer_fn)(void* user, int64_t now_ns);

typedef struct mmh_host_api {
  uint32_t size;
  uint16_t abi_major;
  uint16_t abi_minor;
  void* host; /* opaque; pass back as the first argument */
  /* Writes one log line attributed to the plugin. `message` is NUL-terminated. Thread-safe. */
  void (*log)(void* host, uint32_t level, const char* plugin_name, const char* message);
  /* Current time of the engine's clock: simulated in backtests, wall clock live. */
  int64_t (*now_ns)(void* host);
  /* Push market or execution events into the engine (live connectors). Copies the records.
   * Thread-safe: may be called from a plugin's own I/O thread. `source` is the instance handle
   * the host gave at create time. */
  mmh_status (*post_batch)(void* host, void* source, const mmh_batch* batch);
  /* Calls fn(user, now) on the engine thread once the engine clock reaches due_ns. */
  mmh_status (*add_timer)(void* host, int64_t due_ns, mmh_timer_fn fn, void* user);
  /* Host-level configuration lookup (e.g. "cache_dir", "data_dir"). NULL when unset.
   * The returned string is valid until the plugin is unloaded. */
  const char* (*host_config)(void* host, const char* key);
} mmh_host_api;

/* ------------------------------------------------------------------------------------------ */
/* Data connectors (MMH_KIND_DATA)                                                             */
/* ------------------------------------------------------------------------------------------ */

/* What a data source knows about its stream; filled by describe(). */
typedef struct mmh_source_info {
  uint32_t size;
  uint32_t primary_kind; /* MMH_EVENT_* of the main stream */
  uint64_t record_count; /* 0 when unknown (live) */
  int64_t first_ts_ns;
  int64_t last_ts_ns;
  int64_t interval_ns;    /* candles: bar interval; 0 otherwise */
  uint64_t gap_count;     /* missing runs of bars */
  int64_t largest_gap_ns; /* longest missing span */
  uint64_t missing_bars;  /* bars missing in all gaps */
  uint32_t from_cache;    /* 1 when served from the binary cache */
  uint32_t reserved;
} mmh_source_info;

/* ABI 1.2. History download (`mmhost fetch`) into a candle CSV, for connectors that have one. */
typedef struct mmh_fetch_progress {
  uint32_t size;
  uint32_t reserved;
  uint64_t requests_done;
  uint64_t requests_total;
  uint64_t bars_new;   /* bars added so far */
  int64_t last_bar_ns; /* open time of the newest bar received so far; 0 before any */
} mmh_fetch_progress;

typedef struct mmh_fetch_request {
  uint32_t size;
  uint32_t page_limit; /* bars per request; 0 = the connector's largest */
  const char* symbol;
  const char* interval;   /* the connector's interval code (Bybit: 1 3 5 15 30 60 ... D W) */
  int64_t start_ns;       /* first bar open, inclusive */
  int64_t end_ns;         /* exclusive */
  const char* cache_path; /* the candle CSV to create or extend; replaced atomically */
  void* user;
  /* Called from the calling thread as requests finish. May be NULL. */
  void (*progress)(void* user, const mmh_fetch_progress* progress);
  /* Asked between requests; nonzero: stop now, keeping what arrived. May be NULL. */
  int (*cancelled)(void* user);
} mmh_fetch_request;

typedef struct mmh_fetch_result {
  uint32_t size;
  uint32_t interrupted; /* 1: stopped by `cancelled`; the cache holds what arrived */
  uint64_t bars_before; /* in the cache when the fetch began */
  uint64_t bars_new;
  uint64_t bars_total;
  uint64_t windows; /* ranges asked for (one request each, retries aside) */
  uint64_t requests;
  uint64_t retries;
  uint64_t unfinished_dropped; /* the still-open last bar, never written */
  uint64_t gaps;               /* runs of bars missing in the range after the fetch */
  uint64_t missing_bars;
  char source[128];   /* where the bars came from, e.g. "https://api.bybit.com (mainnet)" */
  char gap_list[256]; /* the first gaps, "2025-01-01T00:05:00Z x3, ..." */
} mmh_fetch_result;

typedef struct mmh_data_vtable {
  uint32_t size;
  uint32_t reserved;
  /* Creates an instance. `host_handle` identifies it in post_batch. Required. */
  mmh_status (*create)(const mmh_config* config, void* host_handle, void** out_self,
                       mmh_error* err);
  /* Destroys an instance; must not fail. Required. */
  void (*destroy)(void* self);
  /* Historical sources: next batch in time order; count == 0 means end of stream.
   * Live-only sources leave this NULL and push through post_batch after start(). */
  mmh_status (*read_batch)(void* self, mmh_batch* out, mmh_error* err);
  /* Live sources: begin pushing events. Optional. */
  mmh_status (*start)(void* self, mmh_error* err);
  /* Stops pushing; after it returns no post_batch call from this instance happens. Optional. */
  void (*stop)(void* self);
  /* Fills info. Optional. */
  mmh_status (*describe)(void* self, mmh_source_info* info, mmh_error* err);
  /* ABI 1.2. The trading rules of the source's symbol as the source knows them (a replay from
   * its settings or a file beside its data, a live connector from the exchange), for the core,
   * the venue and the ledger: the host has no instrument numbers of its own. Live sources answer
   * after start(). MMH_ERR_NOT_SUPPORTED when the source knows none. Optional. */
  mmh_status (*instrument)(void* self, mmh_instrument* out, mmh_error* err);
  /* ABI 1.2. Downloads history into a candle CSV (`mmhost fetch`), blocking, resumable: an
   * existing cache is extended with only what it lacks. On failure what arrived is kept and
   * `err` says so. The instance is created with the same settings as for streaming (symbol,
   * environment, config_dirs, interval). Optional. */
  mmh_status (*fetch_history)(void* self, const mmh_fetch_request* request, mmh_fetch_result* out,
                              mmh_error* err);
} mmh_data_vtable;

/* ------------------------------------------------------------------------------------------ */
/* Execution venues (MMH_KIND_VENUE)                                                           */
/* ------------------------------------------------------------------------------------------ */

typedef struct mmh_venue_vtable {
  uint32_t size;
  uint32_t reserved;
  mmh_status (*create)(const mmh_config* config, void* host_handle, void** out_self,
                       mmh_error* err);
  void (*destroy)(void* self);
  /* Accepts a command; results come back asynchronously as order updates, fills and balances
   * through post_batch. Required. */
  mmh_status (*submit)(void* self, const mmh_order_command* command, mmh_error* err);
  /* Market data the venue needs to simulate or mark (simulated venues). Optional. */
  mmh_status (*on_market)(void* self, const mmh_batch* batch, mmh_error* err);
  /* What the venue is and, for simulated venues, which models run and their known biases, as
   * NUL-terminated text ("key: value" lines), truncated to `capacity`. Optional. A live venue
   * may say "reconnects: N" (its exchange connection lost and made again N times): the host's
   * metrics show it. */
  mmh_status (*describe)(void* self, char* out, size_t capacity, mmh_error* err);
  /* ABI 1.1. Live venues: connect and reconcile with the exchange (open orders, balances); the
   * host posts no command before it returns and routes the venue's posts from here on. A
   * failure (bad keys, exchange unreachable) ends the run before it trades. Optional. */
  mmh_status (*start)(void* self, mmh_error* err);
  /* ABI 1.1. Live venues: stop trading. Open orders this venue placed are cancelled
   * (MMH_VENUE_STOP_CANCEL_ALL: every open order of the symbol), what that changed and the
   * final balances are posted, and after it returns no post_batch happens. Optional. */
  mmh_status (*stop)(void* self, uint32_t flags, mmh_error* err);
} mmh_venue_vtable;

#define MMH_VENUE_STOP_CANCEL_ALL 1u

/* ------------------------------------------------------------------------------------------ */
/* Decision cores (MMH_KIND_CORE)                                                              */
/* ------------------------------------------------------------------------------------------ */

/* A named value a core exposes to strategy scripts (read-only snapshots). Names are dotted
 * ("structure.atr", "pnl.equity", "facts.holding_base"); the set and order of names never change
 * over an instance's life, so the host may index them once. */
#define MMH_VALUE_NUMBER 1 /* number */
#define MMH_VALUE_FLAG 2   /* number is 0 or 1: false / true */
#define MMH_VALUE_TEXT 3   /* text */
typedef struct mmh_core_value {
  const char* name;
  uint32_t type; /* MMH_VALUE_* */
  uint32_t reserved;
  double number;
  const char* text; /* MMH_VALUE_TEXT: NUL-terminated; NULL otherwise */
} mmh_core_value;

typedef struct mmh_core_snapshot {
  uint32_t size;
  /* In: 0 asks for every value; n > 0 says the first n values are enough (the host learned
   * their order from an earlier call and reads a few of them every bar). A core may ignore it
   * and return all. (Was `reserved`, always 0: older hosts ask for every value.) */
  uint32_t wanted;
  size_t count;
  const mmh_core_value* values; /* borrowed until the next call on the instance */
} mmh_core_snapshot;

/* Script hooks: a host whose strategy script decides some things itself installs these. They
 * are called synchronously from inside on_events, on the engine thread; a hook must not call
 * back into the core except snapshot(). Any member may be NULL. */
typedef struct mmh_core_hooks {
  uint32_t size;
  uint32_t reserved;
  void* user;
  /* Once per closed structure bar, after the core's own policy: `suggested` is the level its
   * thresholds give (core vocabulary, e.g. "defensive"). Returns the level to use, or NULL to
   * keep the suggestion. The returned string must stay valid until the next call. */
  const char* (*policy)(void* user, int64_t ts_ns, const char* suggested);
  /* The extra guard of an edge the configuration marked as scripted, asked only when its
   * data guard already holds. Nonzero: the edge fires. */
  int (*guard)(void* user, int64_t ts_ns, const char* from, const char* to, const char* reason);
  /* After each state transition. */
  void (*transition)(void* user, int64_t ts_ns, const char* from, const char* to,
                     const char* reason);
} mmh_core_hooks;

/* ABI 1.3. What a core publishes about its run, for summary.json, equity.csv and report.html.
 * The host shows it without interpreting it (it knows no core's vocabulary). */
#define MMH_METRIC_COUNTER 1 /* a count since the instance was created */
#define MMH_METRIC_GAUGE 2   /* a level as of now: a share, a rate, a price */
typedef struct mmh_core_metric {
  /* Dot-separated segments of printable ASCII (no '"', '\\' or empty segment); each dot nests
   * one level in summary.json: "stage1.bos_confirmed" -> {"stage1": {"bos_confirmed": n}}.
   * A first segment the host writes itself ("fills", "risk", ...) goes under "core". */
  const char* name;
  uint32_t type; /* MMH_METRIC_* */
  uint32_t reserved;
  double value;
} mmh_core_metric;

/* Colours are 0xRRGGBBAA. */
typedef struct mmh_core_band {
  const char* value; /* a text of the first bar value, e.g. "mm" */
  uint32_t rgba;     /* the chart's background on bars with that value */
  uint32_t reserved;
} mmh_core_band;

#define MMH_MARKER_ARROW_UP 1
#define MMH_MARKER_ARROW_DOWN 2
#define MMH_MARKER_CIRCLE 3
#define MMH_MARKER_SQUARE 4
#define MMH_MARKER_ABOVE 1 /* above the bar */
#define MMH_MARKER_BELOW 2 /* below the bar */
/* A decision the chart marks where it happened. */
typedef struct mmh_core_marker {
  const char* decision_kind; /* e.g. "bos_confirmed" */
  const char* detail_prefix; /* only decisions whose detail begins with it; NULL: every one */
  const char* label;         /* the marker's text, e.g. "BOS" */
  uint32_t shape;            /* MMH_MARKER_ARROW_UP ... SQUARE */
  uint32_t position;         /* MMH_MARKER_ABOVE / BELOW */
  uint32_t rgba;
  uint32_t reserved;
} mmh_core_marker;

typedef struct mmh_core_publication {
  uint32_t size;
  uint32_t reserved;
  /* Counters and gauges as of now (the host asks at the end of a run). */
  size_t metric_count;
  const mmh_core_metric* metrics;
  /* Snapshot values (by name) the host records at every execution bar's close: equity.csv
   * columns, and the first shades report.html's chart by its text. Fixed over the instance's
   * life, like bands and markers. */
  size_t bar_value_count;
  const char* const* bar_values;
  size_t band_count;
  const mmh_core_band* bands;
  size_t marker_count;
  const mmh_core_marker* markers;
} mmh_core_publication;

/* ABI 1.4. One tunable of a core, for forms and `mmhost params`: its name as a strategy or
 * `--set` names it, its type ("integer", "number", "decimal" or "choice", the choices then in
 * `unit` as "a|b|c"), its unit, a one-line meaning, its default as text, and the closed range
 * [min, max] the core accepts (NaN when the core states none). All owned by the plugin. */
typedef struct mmh_core_param {
  uint32_t size;
  uint32_t reserved;
  const char* name;
  const char* type;
  const char* unit;
  const char* meaning;
  const char* default_value;
  double min;
  double max;
} mmh_core_param;

typedef struct mmh_core_vtable {
  uint32_t size;
  uint32_t reserved;
  mmh_status (*create)(const mmh_config* config, void* host_handle, void** out_self,
                       mmh_error* err);
  void (*destroy)(void* self);
  /* Feeds a batch of events (candles, trades, book, fills, balances). Required. */
  mmh_status (*on_events)(void* self, const mmh_batch* batch, mmh_error* err);
  /* The decisions made since the last call, as an MMH_EVENT_DECISION batch (count 0 when none).
   * Borrowed until the next call on this instance. Optional. */
  mmh_status (*take_decisions)(void* self, mmh_batch* out, mmh_error* err);
  /* The orders the core wants resting now. Optional. */
  mmh_status (*desired_state)(void* self, mmh_desired_state* out, mmh_error* err);
  /* Hot reload: the complete new configuration (same keys as create), applied from the next
   * event, all or nothing. On failure nothing changed and `err` names the setting. Optional. */
  mmh_status (*reconfigure)(void* self, const mmh_config* config, mmh_error* err);
  /* The values a strategy script may read, as of now. Optional. */
  mmh_status (*snapshot)(void* self, mmh_core_snapshot* out, mmh_error* err);
  /* Installs (or with NULL removes) script hooks; `hooks` is copied. Optional. */
  mmh_status (*set_hooks)(void* self, const mmh_core_hooks* hooks, mmh_error* err);
  /* ABI 1.2. The event kinds the core wants on_events to carry, as a mask of
   * MMH_EVENT_BIT(kind): the host feeds it those of the run it has (a book's top as a ticker
   * when the core wants tickers and the data is a book stream). Absent: candles, fills,
   * balances and the instrument, as 1.0/1.1 hosts fed. Optional. */
  uint64_t (*event_interest)(void* self);
  /* ABI 1.3. What the core publishes (above); borrowed until the next call on the instance.
   * Optional: without it summary.json has no core figures and the chart no shading or markers. */
  mmh_status (*publish)(void* self, mmh_core_publication* out, mmh_error* err);
  /* ABI 1.4. The core's tunables (above), without an instance: `*out` points at `*count`
   * entries owned by the plugin until it is unloaded. Optional. */
  mmh_status (*describe_params)(size_t* count, const mmh_core_param** out, mmh_error* err);
  /* ABI 1.5. How many decisions take_decisions would return now. The host asks after each
   * input it feeds and calls take_decisions only when the answer is not 0: most inputs decide
   * nothing, and this call costs a fraction of a take with nothing in it. Cannot fail; an
   * answer above 0 that proves wrong is harmless (the take returns what there is). Optional:
   * without it the host calls take_decisions after every input, as before 1.5. */
  uint64_t (*decisions_queued)(void* self);
  /* ABI 1.6. A number for the set desired_state would return now, which changes whenever that
   * set (its orders or mode) changes; 0 means "cannot say". The host asks before each
   * desired_state and skips the call, keeping the orders it last got, while the number is the
   * one that came with them: a core's set changes far less often than the host asks (every bar).
   * Cannot fail (answer 0). Optional: without it the host calls desired_state every time. */
  uint64_t (*desired_version)(void* self);
} mmh_core_vtable;

/* ------------------------------------------------------------------------------------------ */
/* The manifest                                                                                */
/* ------------------------------------------------------------------------------------------ */

typedef struct mmh_plugin {
  uint32_t size;
  uint16_t abi_major;      /* MMH_ABI_MAJOR at the plugin's build */
  uint16_t abi_minor;      /* MMH_ABI_MINOR at the plugin's build */
  const char* name;        /* [a-z0-9_]+, unique among loaded plugins */
  const char* version;     /* the plugin's own version, e.g. "1.2.0" */
  const char* description; /* one line; may be NULL */
  uint32_t kinds;          /* MMH_KIND_* bit mask, non-zero */
  uint32_t reserved;
  const mmh_data_vtable* data;   /* required iff kinds has MMH_KIND_DATA */
  const mmh_venue_vtable* venue; /* required iff kinds has MMH_KIND_VENUE */
  const mmh_core_vtable* core;   /* required iff kinds has MMH_KIND_CORE */
} mmh_plugin;

/* The entry point: returns the manifest (owned by the plugin, valid until unload), or NULL on
 * failure after logging why through host->log. Called once per load. */
typedef const mmh_plugin* (*mmh_plugin_init_fn)(const mmh_host_api* host);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MMHOST_PLUGIN_H */
