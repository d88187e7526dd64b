#include "opusim/kernels/favor_attention.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "blas.hpp"
#include "feature_stream.hpp"
#include "opusim/kernels/validation.hpp"
#include "opusim/kernels/workspace.hpp"

namespace opusim::kernels {
namespace {

constexpr std::size_t kBidirectionalBlock = 512;

void require_option(bool ok, const std::string& message) {
    if (!ok) throw std::invalid_argument(message);
}

void validate_options(const FavorOptions& options) {
    require_option(options.chunk >= 1, "options.chunk: expected at least 1 row, got 0");
    for (auto [name, value] : {std::pair{"options.softmax_epsilon", options.softmax_epsilon},
                               std::pair{"options.relu_epsilon", options.relu_epsilon},
                               std::pair{"options.causal_delta", options.causal_delta}}) {
        require_option(
            std::isfinite(value) && value >= 0.0,
            std::string(name) + ": expected a finite value >= 0, got " + std::to_string(value));
    }
}

void validate_projection(const Projection& projection, std::size_t d, FeatureKernel kernel) {
    require_equal("projection", "input dim (the dim d of q and k)", projection.input_dim(), d, "");
    const bool wants_intensity = kernel == FeatureKernel::Optical;
    const bool is_intensity = projection.output_kind() == ProjectionOutput::Intensity;
    if (wants_intensity != is_intensity) {
        throw std::invalid_argument(
            "projection: the " + to_string(kernel) + " kernel needs " +
            (wants_intensity ? "an intensity projection (|Rx|^2)" : "a linear projection (Wx)") +
            ", got " + projection.describe());
    }
}

void validate_inputs(const Tensor4& q, const Tensor4& k, const Tensor4& v,
                     const Projection& projection, const FavorOptions& options) {
    validate_options(options);
    const Shape4& qs = q.shape();
    const Shape4& ks = k.shape();
    const Shape4& vs = v.shape();
    require_option(qs.dim >= 1, "q: expected dim d >= 1, got shape " + to_string(qs));
    require_equal("k", "batch", ks.batch, qs.batch, "that of q");
    require_equal("k", "heads", ks.heads, qs.heads, "that of q");
    require_equal("k", "dim", ks.dim, qs.dim, "that of q");
    require_option(ks.length >= 1, "k: expected length >= 1, got shape " + to_string(ks));
    require_equal("v", "batch", vs.batch, ks.batch, "that of k");
    require_equal("v", "heads", vs.heads, ks.heads, "that of k");
    require_equal("v", "length", vs.length, ks.length, "that of k");
    require_option(vs.dim >= 1, "v: expected dim >= 1, got shape " + to_string(vs));
    if (options.causal) require_equal("k", "length", ks.length, qs.length, "causal: that of q");
    validate_projection(projection, qs.dim, options.kernel);
    require_finite("q", q);
    require_finite("k", k);
    require_finite("v", v);
}

// The denominators ride along with the numerators: every value row gets a trailing 1, so one
// GEMM against [V | 1] gives K'^T V and K'^T 1 together, and Q' [C | z] gives the numerators and
// the denominators of a chunk in one product.

// Copies V's rows [first, first + count) into EXTENDED (count x (dv + 1)) with a trailing 1.
Matrix extend_with_ones(ConstMatrix v, std::size_t first, std::size_t count,
                        Buffer<float>& extended) {
    const std::size_t dv = v.cols;
    const Matrix out = dense(extended.data(), count, dv + 1);
    for (std::size_t r = 0; r < count; ++r) {
        std::copy(v.row(first + r), v.row(first + r) + dv, out.row(r));
        out.at(r, dv) = 1.0f;
    }
    return out;
}

// acc += part (elementwise, float into double): the sums over the sequence are kept in double.
void accumulate(const Buffer<float>& part, Buffer<double>& acc) {
    for (std::size_t i = 0; i < acc.size(); ++i) acc[i] += part[i];
}

// to = from rounded to float (ROWS x COLS), plus SHIFT on the last column (the denominator
// column).
void round_to_float(const Buffer<double>& from, std::size_t cols, double shift, Buffer<float>& to) {
    const std::size_t rows = from.size() / cols;
    for (std::size_t r = 0; r < rows; ++r) {
        const double* in = from.data() + r * cols;
        float* out = to.data() + r * cols;
        for (std::size_t j = 0; j + 1 < cols; ++j) out[j] = static_cast<float>(in[j]);
        out[cols - 1] = static_cast<float>(in[cols - 1] + shift);
    }
}

// out row r = extended row r [0, dv) / extended row r [dv].
void divide_by_last_column(ConstMatrix extended, Matrix out) {
    const std::size_t dv = out.cols;
    for (std::size_t r = 0; r < out.rows; ++r) {
        const float* in = extended.row(r);
        const float denominator = in[dv];
        float* row = out.row(r);
        for (std::size_t j = 0; j < dv; ++j) row[j] = in[j] / denominator;
    }
}

void bidirectional_head(FeatureStream& stream, ConstMatrix v, Matrix out, std::size_t q_length,
                        std::size_t chunk) {
    const std::size_t mf = stream.features();
    const std::size_t width = v.cols + 1;
    Buffer<float> features(chunk * mf);
    Buffer<float> rows(chunk * width);
    Buffer<float> context_part(mf * width);
    Buffer<double> context(mf * width);  // [K'^T V | K'^T 1], summed over the sequence in double
    for (std::size_t first = 0; first < v.rows; first += chunk) {
        const std::size_t count = std::min(chunk, v.rows - first);
        const Matrix kf = dense(features.data(), count, mf);
        stream.compute(Role::Key, first, count, kf);
        blas::gemm_atb(1.0f, kf, extend_with_ones(v, first, count, rows), 0.0f,
                       dense(context_part.data(), mf, width));
        accumulate(context_part, context);
    }
    Buffer<float> context_f(mf * width);
    round_to_float(context, width, 0.0, context_f);
    for (std::size_t first = 0; first < q_length; first += chunk) {
        const std::size_t count = std::min(chunk, q_length - first);
        const Matrix qf = dense(features.data(), count, mf);
        stream.compute(Role::Query, first, count, qf);
        const Matrix extended = dense(rows.data(), count, width);
        blas::gemm_ab(1.0f, qf, dense(context_f.data(), mf, width), 0.0f, extended);
        divide_by_last_column(extended, out.rows_slice(first, count));
    }
}

void causal_head(FeatureStream& stream, ConstMatrix v, Matrix out, std::size_t chunk,
                 double delta) {
    const std::size_t mf = stream.features();
    const std::size_t width = v.cols + 1;
    Buffer<float> query_features(chunk * mf);
    Buffer<float> key_features(chunk * mf);
    Buffer<float> scores(chunk * chunk);
    Buffer<float> value_rows(chunk * width);
    Buffer<float> out_rows(chunk * width);
    Buffer<float> state_part(mf * width);
    Buffer<float> state_f(mf * width);
    Buffer<double> state(mf * width);  // [S | z] of the rows before the chunk, in double
    // delta goes into every element of the running key sum: z + delta 1 in the state's last
    // column (float copy); the in-chunk keys' part of the sum comes from A [V | 1] below.
    round_to_float(state, width, delta, state_f);
    for (std::size_t first = 0; first < v.rows; first += chunk) {
        const std::size_t count = std::min(chunk, v.rows - first);
        const Matrix qf = dense(query_features.data(), count, mf);
        const Matrix kf = dense(key_features.data(), count, mf);
        stream.compute(Role::Query, first, count, qf);
        stream.compute(Role::Key, first, count, kf);
        const Matrix v_ext = extend_with_ones(v, first, count, value_rows);
        // In-chunk terms: A = Q'_c K'_c^T with the future (j > i) masked out.
        const Matrix a = dense(scores.data(), count, count);
        blas::gemm_abt(1.0f, qf, kf, 0.0f, a);
        for (std::size_t i = 0; i < count; ++i) std::fill(a.row(i) + i + 1, a.row(i) + count, 0.0f);
        // [numerator | denominator] = Q'_c [S | z + delta] + A [V_c | 1]
        const Matrix extended = dense(out_rows.data(), count, width);
        blas::gemm_ab(1.0f, qf, dense(state_f.data(), mf, width), 0.0f, extended);
        blas::gemm_ab(1.0f, a, v_ext, 1.0f, extended);
        divide_by_last_column(extended, out.rows_slice(first, count));
        // Carry the prefix state past this chunk.
        blas::gemm_atb(1.0f, kf, v_ext, 0.0f, dense(state_part.data(), mf, width));
        accumulate(state_part, state);
        round_to_float(state, width, delta, state_f);
    }
}

ProjectionCost cost_since(const ProjectionCost& before, const ProjectionCost& after) {
    ProjectionCost cost;
    cost.calls = after.calls - before.calls;
    cost.rows = after.rows - before.rows;
    cost.frames = after.frames - before.frames;
    cost.device_time_s = after.device_time_s - before.device_time_s;
    cost.host_time_s = after.host_time_s - before.host_time_s;
    return cost;
}

Tensor4 features_of(Role role, const Tensor4& x, Projection& projection,
                    const FavorOptions& options) {
    validate_options(options);
    const std::string name = role == Role::Query ? "q" : "k";
    require_option(x.shape().dim >= 1, name + ": expected dim d >= 1");
    validate_projection(projection, x.shape().dim, options.kernel);
    require_finite(name, x);
    FeatureStream stream(role == Role::Query ? &x : nullptr, role == Role::Key ? &x : nullptr,
                         projection, options, options.chunk);
    const Shape4& s = x.shape();
    Tensor4 out({s.batch, s.heads, s.length, stream.features()});
    for (std::size_t b = 0; b < s.batch; ++b) {
        for (std::size_t h = 0; h < s.heads; ++h) {
            stream.begin_head(b, h, /*keep_keys=*/true);
            for (std::size_t first = 0; first < s.length; first += options.chunk) {
                const std::size_t count = std::min(options.chunk, s.length - first);
                stream.compute(role, first, count, out.head(b, h).rows_slice(first, count));
            }
        }
    }
    return out;
}

// One (batch, head) pair of the attention, on STREAM (a stream per thread).
void attention_head(FeatureStream& stream, const Tensor4& v, Tensor4& out, std::size_t pair,
                    const FavorOptions& options) {
    const std::size_t heads = out.shape().heads;
    const std::size_t b = pair / heads;
    const std::size_t h = pair % heads;
    // Bidirectional keeps the head's key projections (O(L m), used once each); causal
    // re-projects them to keep memory flat in L.
    stream.begin_head(b, h, /*keep_keys=*/!options.causal);
    if (options.causal) {
        causal_head(stream, v.head(b, h), out.head(b, h), options.chunk, options.causal_delta);
    } else {
        bidirectional_head(stream, v.head(b, h), out.head(b, h), out.shape().length, options.chunk);
    }
}

unsigned head_threads(const FavorOptions& options, const Projection& projection,
                      std::size_t pairs) {
    if (projection.batching() == ProjectionBatching::WholeCall) return 1;
    const unsigned wanted =
        options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    return static_cast<unsigned>(std::min<std::size_t>(wanted, pairs));
}

// The pairs on THREADS workers, each with its own feature stream and buffers. Pairs are taken in
// order from a shared counter; the calling thread reports progress as they finish (in order of
// count, 1, 2, ...) and rethrows the first error once every worker has stopped.
void attention_on_threads(const Tensor4& q, const Tensor4& k, const Tensor4& v,
                          Projection& projection, const FavorOptions& options, std::size_t block,
                          unsigned threads, Tensor4& out) {
    const std::size_t pairs = out.shape().batch * out.shape().heads;
    std::atomic<std::size_t> next{0};
    std::mutex mutex;
    std::condition_variable finished;
    std::size_t done = 0;
    std::exception_ptr error;
    auto work = [&] {
        try {
            FeatureStream stream(&q, &k, projection, options, block);
            for (std::size_t pair = next++; pair < pairs; pair = next++) {
                attention_head(stream, v, out, pair, options);
                const std::lock_guard<std::mutex> lock(mutex);
                ++done;
                finished.notify_one();
            }
        } catch (...) {
            const std::lock_guard<std::mutex> lock(mutex);
            if (!error) error = std::current_exception();
            next = pairs;
            finished.notify_one();
        }
    };
    std::vector<std::thread> workers;
    workers.reserve(threads);
    for (unsigned t = 0; t < threads; ++t) workers.emplace_back(work);
    std::size_t reported = 0;
    {
        std::unique_lock<std::mutex> lock(mutex);
        while (reported < pairs && !error) {
            finished.wait(lock, [&] { return done > reported || error; });
            while (reported < done && !error) {
                ++reported;
                if (!options.progress) continue;
                lock.unlock();
                options.progress(reported, pairs);
                lock.lock();
            }
        }
    }
    for (auto& worker : workers) worker.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace

Tensor4 favor_attention(const Tensor4& q, const Tensor4& k, const Tensor4& v,
                        Projection& projection, const FavorOptions& options, FavorReport* report) {
    validate_inputs(q, k, v, projection, options);
    const ProjectionCost before = projection.total_cost();
    const Shape4& qs = q.shape();
    Tensor4 out({qs.batch, qs.heads, qs.length, v.shape().dim});
    // Bidirectional attention has no chunk semantics: it streams in blocks of at least
    // kBidirectionalBlock rows (fewer, larger GEMMs and double accumulations).
    const std::size_t block =
        options.causal ? options.chunk : std::max(options.chunk, kBidirectionalBlock);
    const std::size_t pairs = qs.batch * qs.heads;
    const unsigned threads = head_threads(options, projection, pairs);
    if (threads > 1) {
        attention_on_threads(q, k, v, projection, options, block, threads, out);
    } else {
        FeatureStream stream(&q, &k, projection, options, block);
        for (std::size_t pair = 0; pair < pairs; ++pair) {
            attention_head(stream, v, out, pair, options);
            if (options.progress) options.progress(pair + 1, pairs);
        }
    }
    if (report != nullptr) {
        report->projection = cost_since(before, projection.total_cost());
        report->features = feature_count(options.kernel, projection.output_dim());
    }
    return out;
}

Tensor4 favor_query_features(const Tensor4& q, Projection& projection,
                             const FavorOptions& options) {
    return features_of(Role::Query, q, projection, options);
}

Tensor4 favor_key_features(const Tensor4& k, Projection& projection, const FavorOptions& options) {
    return features_of(Role::Key, k, projection, options);
}

}  // namespace opusim::kernels
