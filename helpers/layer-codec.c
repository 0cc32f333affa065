/*
 * layer-codec.node: a Node-API addon that does a pulled layer's per-byte
 * work off the JavaScript thread, on libuv's thread pool: the sha256 of the
 * compressed bytes (the blob digest), gzip decompression (ISA-L's inflate,
 * 2-3x zlib's), and the sha256 of the decompressed tar (the diff id).
 * Node's own OpenSSL does the hashing (SHA-NI where the CPU has it); the
 * addon resolves those symbols from the node binary at load time.
 *
 * Why an addon and not a helper process or worker threads: a pipe to a
 * process costs a copy and a syscall per chunk each way on the JS thread,
 * and a worker costs its own start-up and a copy or transfer of every chunk.
 * Here JS hands over the chunks it already has, the thread pool fills an
 * output buffer JS allocated, and layers pulled in parallel use every core.
 *
 * JS interface (lib/storage/layer/native-codec.ts wraps it):
 *   const c = new Codec(gzip: boolean)
 *   c.run(inputs: Buffer[] | null, out: Buffer | null, cb(err, written, more))
 *       inputs: the next chunks (null: continue the previous batch, which
 *       stopped because `out` was full: `more` was true). Every input byte
 *       is hashed; with gzip it is inflated into `out` and the output is
 *       hashed. Without gzip `out` is null and nothing is written: the
 *       input is the output.
 *   c.finish() -> { compressed, compressedSize, diff, diffSize } (hex
 *       digests); throws if the gzip stream ended early.
 * One run at a time per codec (the JS wrapper serialises them).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum member_state {
  MEMBER_NONE,     /* before the first gzip member */
  MEMBER_INSIDE,   /* inflating a member */
  MEMBER_BETWEEN,  /* a member ended; more input starts another or is trailing */
  MEMBER_TRAILING, /* zero bytes after the last member: ignored, as zlib in Node does */
};

/*
 * The gzip member header (RFC 1952 §2.3), read here rather than by ISA-L:
 * ISA-L 2.30 rejects a valid header CRC (FHCRC) when the header arrives
 * split over several calls. ISA-L then inflates the raw deflate data and
 * checks the trailer (ISAL_GZIP_NO_HDR_VER).
 */
enum header_state { H_FIXED, H_XLEN, H_EXTRA, H_NAME, H_COMMENT, H_HCRC, H_DONE };

#define FHCRC 0x02
#define FEXTRA 0x04
#define FNAME 0x08
#define FCOMMENT 0x10

typedef struct {
  enum header_state state;
  uint8_t bytes[10]; /* the fixed part, then XLEN, then HCRC */
  unsigned have;
  uint8_t flags;
  unsigned xlen;
  uint32_t crc; /* of the header bytes so far, for FHCRC */
} GzipHeader;

typedef struct {
  int gzip;
  EVP_MD_CTX *in_hash;
  EVP_MD_CTX *out_hash;
  uint64_t in_size;
  uint64_t out_size;
  struct inflate_state *inflate;
  enum member_state member;
  GzipHeader header;
  /* The last inflate call filled the output: ISA-L may hold more. */
  int maybe_pending;
  int finished;
  int busy;

  /* The batch being worked on (kept alive by batch_ref). */
  napi_ref batch_ref;
  uint32_t count;
  uint8_t **ptrs;
  size_t *lens;
  uint32_t idx;
  size_t off;
  int current_hashed;

  /* The current run. */
  napi_ref out_ref;
  uint8_t *out;
  size_t out_cap;
  size_t written;
  int more;
  char error[200];
  napi_ref cb_ref;
  /* The JS object, held while a run is queued: its finalizer frees this struct. */
  napi_ref self_ref;
  napi_async_work work;
} Codec;

#define CHECK(env, call)                                              \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error((env), "E_NATIVE", "layer-codec: " #call);     \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

static void hash_in(Codec *c, const uint8_t *p, size_t n) {
  EVP_DigestUpdate(c->in_hash, p, n);
  c->in_size += n;
}

static void hash_out(Codec *c, const uint8_t *p, size_t n) {
  EVP_DigestUpdate(c->out_hash, p, n);
  c->out_size += n;
}

static const char *inflate_error(int ret) {
  switch (ret) {
  case ISAL_INVALID_BLOCK: return "invalid deflate block";
  case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
  case ISAL_INVALID_LOOKBACK: return "invalid distance too far back";
  case ISAL_INVALID_WRAPPER: return "incorrect header check";
  case ISAL_UNSUPPORTED_METHOD: return "unknown compression method";
  case ISAL_INCORRECT_CHECKSUM: return "incorrect data check";
  default: return "invalid gzip data";
  }
}

static void start_member(Codec *c) {
  isal_inflate_reset(c->inflate);
  c->inflate->crc_flag = ISAL_GZIP_NO_HDR_VER;
  c->member = MEMBER_INSIDE;
  memset(&c->header, 0, sizeof c->header);
  c->header.state = H_FIXED;
}

/* Next header state after the fixed part or an optional field. */
static enum header_state after(uint8_t flags, enum header_state done) {
  if (done < H_XLEN && (flags & FEXTRA)) return H_XLEN;
  if (done < H_NAME && (flags & FNAME)) return H_NAME;
  if (done < H_COMMENT && (flags & FCOMMENT)) return H_COMMENT;
  if (done < H_HCRC && (flags & FHCRC)) return H_HCRC;
  return H_DONE;
}

/*
 * Reads header bytes from buf; returns how many it used (all of them
 * until the header is complete), or -1 with c->error set.
 */
static long read_header(Codec *c, const uint8_t *buf, size_t len) {
  GzipHeader *h = &c->header;
  size_t i = 0;
  while (i < len && h->state != H_DONE) {
    const uint8_t *start = buf + i;
    size_t take = 0;
    switch (h->state) {
    case H_FIXED:
    case H_XLEN:
    case H_HCRC: {
      unsigned want = h->state == H_FIXED ? 10 : 2;
      take = want - h->have < len - i ? want - h->have : len - i;
      memcpy(h->bytes + h->have, start, take);
      h->have += take;
      i += take;
      if (h->state != H_HCRC) h->crc = crc32_gzip_refl(h->crc, start, take);
      if (h->have < want) break;
      h->have = 0;
      if (h->state == H_FIXED) {
        if (h->bytes[0] != 0x1f || h->bytes[1] != 0x8b) {
          snprintf(c->error, sizeof c->error, "gzip: incorrect header check");
          return -1;
        }
        if (h->bytes[2] != 8) {
          snprintf(c->error, sizeof c->error, "gzip: unknown compression method");
          return -1;
        }
        if (h->bytes[3] & 0xe0) {
          snprintf(c->error, sizeof c->error, "gzip: reserved header flags set");
          return -1;
        }
        h->flags = h->bytes[3];
        h->state = after(h->flags, H_FIXED);
      } else if (h->state == H_XLEN) {
        h->xlen = h->bytes[0] | (unsigned)h->bytes[1] << 8;
        h->state = h->xlen ? H_EXTRA : after(h->flags, H_EXTRA);
      } else {
        unsigned want_crc = h->bytes[0] | (unsigned)h->bytes[1] << 8;
        if (want_crc != (h->crc & 0xffff)) {
          snprintf(c->error, sizeof c->error, "gzip: header crc mismatch");
          return -1;
        }
        h->state = H_DONE;
      }
      continue;
    }
    case H_EXTRA:
      take = h->xlen < len - i ? h->xlen : len - i;
      h->xlen -= take;
      i += take;
      h->crc = crc32_gzip_refl(h->crc, start, take);
      if (!h->xlen) h->state = after(h->flags, H_EXTRA);
      continue;
    case H_NAME:
    case H_COMMENT: {
      const uint8_t *nul = memchr(start, 0, len - i);
      take = nul ? (size_t)(nul - start) + 1 : len - i;
      i += take;
      h->crc = crc32_gzip_refl(h->crc, start, take);
      if (nul) h->state = after(h->flags, h->state);
      continue;
    }
    case H_DONE:
      break;
    }
  }
  return (long)i;
}

/* Runs on the thread pool: works through the batch until it is used up or `out` is full. */
static void execute(napi_env env, void *data) {
  (void)env;
  Codec *c = data;
  c->written = 0;
  c->more = 0;
  while (c->idx < c->count) {
    uint8_t *buf = c->ptrs[c->idx];
    size_t len = c->lens[c->idx];
    if (!c->current_hashed) {
      hash_in(c, buf, len);
      c->current_hashed = 1;
    }
    if (!c->gzip || c->member == MEMBER_TRAILING) {
      c->off = len;
    } else if (c->member == MEMBER_NONE) {
      start_member(c);
      continue;
    } else if (c->member == MEMBER_BETWEEN && c->off < len) {
      /* zlib's rule (as in Node): a zero byte after a member ends the stream, anything else starts a member. */
      if (buf[c->off] == 0) {
        c->member = MEMBER_TRAILING;
        c->off = len;
      } else {
        start_member(c);
        continue;
      }
    } else if (c->member == MEMBER_INSIDE && c->header.state != H_DONE && c->off < len) {
      long used = read_header(c, buf + c->off, len - c->off);
      if (used < 0) return;
      c->off += (size_t)used;
      continue;
    } else if (c->member == MEMBER_INSIDE && c->header.state == H_DONE && (c->off < len || c->maybe_pending)) {
      if (c->written == c->out_cap) {
        c->more = 1;
        return;
      }
      struct inflate_state *s = c->inflate;
      size_t in_left = len - c->off;
      /* avail_in and avail_out are 32-bit: at most 1 GiB at a time. */
      uint32_t feed = in_left > (1u << 30) ? (1u << 30) : (uint32_t)in_left;
      size_t out_left = c->out_cap - c->written;
      uint32_t room = out_left > (1u << 30) ? (1u << 30) : (uint32_t)out_left;
      s->next_in = buf + c->off;
      s->avail_in = feed;
      s->next_out = c->out + c->written;
      s->avail_out = room;
      int ret = isal_inflate(s);
      size_t used = feed - s->avail_in;
      size_t made = room - s->avail_out;
      if (made) hash_out(c, c->out + c->written, made);
      c->off += used;
      c->written += made;
      if (ret < 0) {
        snprintf(c->error, sizeof c->error, "gzip: %s", inflate_error(ret));
        return;
      }
      /* A call that filled the output may have more to give even with no input left. */
      c->maybe_pending = s->avail_out == 0;
      if (s->block_state == ISAL_BLOCK_FINISH) {
        c->member = MEMBER_BETWEEN;
        c->maybe_pending = 0;
      } else if (used == 0 && made == 0) {
        if (c->off < len) {
          snprintf(c->error, sizeof c->error, "gzip: inflate made no progress");
          return;
        }
        c->maybe_pending = 0;
      }
      continue;
    }
    if (c->off >= len) {
      c->idx++;
      c->off = 0;
      c->current_hashed = 0;
    }
  }
}

static void release_run(napi_env env, Codec *c) {
  if (c->out_ref) napi_delete_reference(env, c->out_ref);
  c->out_ref = NULL;
  if (c->cb_ref) napi_delete_reference(env, c->cb_ref);
  c->cb_ref = NULL;
  if (c->work) napi_delete_async_work(env, c->work);
  c->work = NULL;
  if (c->self_ref) napi_delete_reference(env, c->self_ref);
  c->self_ref = NULL;
}

static void release_batch(napi_env env, Codec *c) {
  if (c->batch_ref) napi_delete_reference(env, c->batch_ref);
  c->batch_ref = NULL;
  free(c->ptrs);
  free(c->lens);
  c->ptrs = NULL;
  c->lens = NULL;
  c->count = c->idx = 0;
  c->off = 0;
  c->current_hashed = 0;
}

static void complete(napi_env env, napi_status status, void *data) {
  Codec *c = data;
  napi_value cb, global, argv[3], undefined;
  napi_get_reference_value(env, c->cb_ref, &cb);
  napi_get_global(env, &global);
  napi_get_undefined(env, &undefined);
  if (status != napi_ok && !c->error[0]) snprintf(c->error, sizeof c->error, "layer-codec: work was cancelled");
  if (c->error[0]) {
    napi_value msg;
    napi_create_string_utf8(env, c->error, NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &argv[0]);
    c->finished = 1;
  } else {
    argv[0] = undefined;
  }
  napi_create_double(env, (double)c->written, &argv[1]);
  napi_get_boolean(env, c->more, &argv[2]);
  if (!c->more || c->error[0]) release_batch(env, c);
  release_run(env, c);
  c->busy = 0;
  napi_value result;
  napi_call_function(env, global, cb, 3, argv, &result);
}

static Codec *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, napi_value *self_out) {
  napi_value self;
  void *data;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  if (self_out) *self_out = self;
  if (napi_unwrap(env, self, &data) != napi_ok) {
    napi_throw_type_error(env, NULL, "layer-codec: not a Codec");
    return NULL;
  }
  return data;
}

static napi_value codec_run(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], self;
  Codec *c = unwrap(env, info, &argc, argv, &self);
  if (!c) return NULL;
  if (c->busy || c->finished) {
    napi_throw_error(env, "E_NATIVE", c->busy ? "layer-codec: a run is in progress" : "layer-codec: finished");
    return NULL;
  }
  napi_valuetype t;
  napi_typeof(env, argv[0], &t);
  if (t != napi_null) {
    if (c->count) {
      napi_throw_error(env, "E_NATIVE", "layer-codec: the previous batch is not used up");
      return NULL;
    }
    uint32_t n;
    CHECK(env, napi_get_array_length(env, argv[0], &n));
    c->ptrs = calloc(n ? n : 1, sizeof *c->ptrs);
    c->lens = calloc(n ? n : 1, sizeof *c->lens);
    if (!c->ptrs || !c->lens) {
      napi_throw_error(env, "E_NATIVE", "layer-codec: out of memory");
      return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
      napi_value el;
      void *p;
      size_t len;
      CHECK(env, napi_get_element(env, argv[0], i, &el));
      if (napi_get_buffer_info(env, el, &p, &len) != napi_ok) {
        release_batch(env, c);
        napi_throw_type_error(env, NULL, "layer-codec: inputs must be Buffers");
        return NULL;
      }
      c->ptrs[i] = p;
      c->lens[i] = len;
    }
    c->count = n;
    c->idx = 0;
    c->off = 0;
    c->current_hashed = 0;
    CHECK(env, napi_create_reference(env, argv[0], 1, &c->batch_ref));
  }
  c->out = NULL;
  c->out_cap = 0;
  napi_typeof(env, argv[1], &t);
  if (t != napi_null && t != napi_undefined) {
    void *p;
    size_t len;
    if (napi_get_buffer_info(env, argv[1], &p, &len) != napi_ok) {
      napi_throw_type_error(env, NULL, "layer-codec: out must be a Buffer");
      return NULL;
    }
    c->out = p;
    c->out_cap = len;
    CHECK(env, napi_create_reference(env, argv[1], 1, &c->out_ref));
  } else if (c->gzip) {
    napi_throw_type_error(env, NULL, "layer-codec: gzip needs an output buffer");
    return NULL;
  }
  CHECK(env, napi_create_reference(env, argv[2], 1, &c->cb_ref));
  CHECK(env, napi_create_reference(env, self, 1, &c->self_ref));
  napi_value name;
  CHECK(env, napi_create_string_utf8(env, "tote-layer-codec", NAPI_AUTO_LENGTH, &name));
  CHECK(env, napi_create_async_work(env, NULL, name, execute, complete, c, &c->work));
  c->busy = 1;
  CHECK(env, napi_queue_async_work(env, c->work));
  return NULL;
}

static int hex_digest(EVP_MD_CTX *ctx, char *hex) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!EVP_DigestFinal_ex(ctx, md, &n)) return -1;
  for (unsigned int i = 0; i < n; i++) sprintf(hex + 2 * i, "%02x", md[i]);
  hex[2 * n] = 0;
  return 0;
}

static napi_value set_prop(napi_env env, napi_value obj, const char *key, napi_value v) {
  napi_set_named_property(env, obj, key, v);
  return obj;
}

static napi_value codec_finish(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Codec *c = unwrap(env, info, &argc, NULL, NULL);
  if (!c) return NULL;
  if (c->busy || c->finished || c->count) {
    napi_throw_error(env, "E_NATIVE", "layer-codec: finish() while busy or after the end");
    return NULL;
  }
  c->finished = 1;
  if (c->gzip && c->member != MEMBER_BETWEEN && c->member != MEMBER_TRAILING) {
    napi_throw_error(env, "E_DECOMPRESS", "gzip: unexpected end of file");
    return NULL;
  }
  char in_hex[2 * EVP_MAX_MD_SIZE + 1], out_hex[2 * EVP_MAX_MD_SIZE + 1];
  if (hex_digest(c->in_hash, in_hex) || hex_digest(c->out_hash, out_hex)) {
    napi_throw_error(env, "E_NATIVE", "layer-codec: sha256 failed");
    return NULL;
  }
  napi_value obj, v;
  CHECK(env, napi_create_object(env, &obj));
  napi_create_string_utf8(env, in_hex, NAPI_AUTO_LENGTH, &v);
  set_prop(env, obj, "compressed", v);
  napi_create_double(env, (double)c->in_size, &v);
  set_prop(env, obj, "compressedSize", v);
  /* Without compression the input is the tar: one digest serves both. */
  napi_create_string_utf8(env, c->gzip ? out_hex : in_hex, NAPI_AUTO_LENGTH, &v);
  set_prop(env, obj, "diff", v);
  napi_create_double(env, (double)(c->gzip ? c->out_size : c->in_size), &v);
  set_prop(env, obj, "diffSize", v);
  return obj;
}

static void codec_free(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Codec *c = data;
  /* A codec with a run queued is kept alive by its callback; none is here. */
  EVP_MD_CTX_free(c->in_hash);
  EVP_MD_CTX_free(c->out_hash);
  free(c->inflate);
  free(c->ptrs);
  free(c->lens);
  free(c);
}

static napi_value codec_new(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], self;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  bool gzip = false;
  if (argc >= 1) napi_get_value_bool(env, argv[0], &gzip);
  Codec *c = calloc(1, sizeof *c);
  if (!c) {
    napi_throw_error(env, "E_NATIVE", "layer-codec: out of memory");
    return NULL;
  }
  c->gzip = gzip;
  c->in_hash = EVP_MD_CTX_new();
  c->out_hash = EVP_MD_CTX_new();
  if (gzip) c->inflate = malloc(sizeof *c->inflate);
  if (!c->in_hash || !c->out_hash || (gzip && !c->inflate) || !EVP_DigestInit_ex(c->in_hash, EVP_sha256(), NULL) ||
      !EVP_DigestInit_ex(c->out_hash, EVP_sha256(), NULL)) {
    codec_free(env, c, NULL);
    napi_throw_error(env, "E_NATIVE", "layer-codec: cannot set up sha256");
    return NULL;
  }
  if (gzip) isal_inflate_init(c->inflate);
  c->member = MEMBER_NONE;
  if (napi_wrap(env, self, c, codec_free, NULL, NULL) != napi_ok) {
    codec_free(env, c, NULL);
    napi_throw_error(env, "E_NATIVE", "layer-codec: wrap failed");
    return NULL;
  }
  return self;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
    {"run", NULL, codec_run, NULL, NULL, NULL, napi_default, NULL},
    {"finish", NULL, codec_finish, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value cls;
  CHECK(env, napi_define_class(env, "Codec", NAPI_AUTO_LENGTH, codec_new, NULL, 2, methods, &cls));
  CHECK(env, napi_set_named_property(env, exports, "Codec", cls));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
