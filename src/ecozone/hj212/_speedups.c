/* The C accelerator of the HJ 212 codec: crc16, crc16_modbus and split_cp.
 *
 * Strategy: the same contract as the pure-Python _crc.py and _cp.py, result
 * for result and message for message (tests compare both on generated input).
 * The CRCs take eight bytes per step from slicing tables. split_cp walks the
 * bytes of an ASCII str once, makes a str only for what it returns, reuses
 * interned names (Min, Avg, Flag, ...) and recently seen codes, and converts
 * numbers as float() does: the exact fast path of its strtod inline, the rest
 * with PyOS_string_to_double. Anything but an ASCII str goes to the Python
 * reference, so Unicode digits behave exactly as they do there; messages use
 * PyObject_Repr like the f-strings of the reference.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------- CRC --- */

/* T0 is the reflected 0xA001 table of HJ 212-2017 Appendix A; T[k][x] is the
 * register contribution of byte x followed by k zero bytes (CRC-16/MODBUS). */
static uint16_t crc_table[8][256];

/* The Appendix A variant computes crc = T0[(crc >> 8) ^ byte]: the low byte of
 * the register is dropped at every step, so the state is its high byte h, and
 * h' = H[h ^ byte] with H[x] = T0[x] >> 8. H is linear over GF(2), hence
 * h after 8 bytes = H^8[h] ^ H^8[b0] ^ H^7[b1] ^ ... ^ H^1[b7]; hj_table[k-1]
 * holds H^k. Only the H^8[h] lookup is on the dependency chain. */
static uint8_t hj_table[8][256];

static void
build_crc_tables(void)
{
    for (int value = 0; value < 256; value++) {
        uint16_t crc = (uint16_t)value;
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
        }
        crc_table[0][value] = crc;
    }
    for (int k = 1; k < 8; k++) {
        for (int value = 0; value < 256; value++) {
            uint16_t prev = crc_table[k - 1][value];
            crc_table[k][value] = (uint16_t)((prev >> 8) ^ crc_table[0][prev & 0xFF]);
        }
    }
    for (int value = 0; value < 256; value++) {
        hj_table[0][value] = (uint8_t)(crc_table[0][value] >> 8);
    }
    for (int k = 1; k < 8; k++) {
        for (int value = 0; value < 256; value++) {
            hj_table[k][value] = hj_table[0][hj_table[k - 1][value]];
        }
    }
}

static uint16_t
hj212_crc(const uint8_t *p, Py_ssize_t n)
{
    if (n == 0) {
        return 0xFFFF;
    }
    uint8_t h = 0xFF;
    Py_ssize_t last = n - 1; /* the last byte gives the whole 16-bit register */
    const uint8_t *end8 = p + (last & ~(Py_ssize_t)7);
    while (p < end8) {
        h = (uint8_t)(hj_table[7][h] ^ hj_table[7][p[0]] ^ hj_table[6][p[1]]
                      ^ hj_table[5][p[2]] ^ hj_table[4][p[3]] ^ hj_table[3][p[4]]
                      ^ hj_table[2][p[5]] ^ hj_table[1][p[6]] ^ hj_table[0][p[7]]);
        p += 8;
    }
    const uint8_t *stop = p + (last & 7);
    while (p < stop) {
        h = hj_table[0][h ^ *p++];
    }
    return crc_table[0][h ^ *p];
}

static uint16_t
modbus_crc(const uint8_t *p, Py_ssize_t n)
{
    uint16_t crc = 0xFFFF;
    const uint8_t *end8 = p + (n & ~(Py_ssize_t)7);
    while (p < end8) {
        crc ^= (uint16_t)(p[0] | (p[1] << 8));
        crc = crc_table[7][crc & 0xFF] ^ crc_table[6][crc >> 8] ^ crc_table[5][p[2]]
              ^ crc_table[4][p[3]] ^ crc_table[3][p[4]] ^ crc_table[2][p[5]]
              ^ crc_table[1][p[6]] ^ crc_table[0][p[7]];
        p += 8;
    }
    const uint8_t *end = p + (n & 7);
    while (p < end) {
        crc = (uint16_t)((crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xFF]);
    }
    return crc;
}

static PyObject *
crc_of_buffer(PyObject *data, uint16_t (*fn)(const uint8_t *, Py_ssize_t), const char *name)
{
    Py_buffer view;
    if (PyUnicode_Check(data) || PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s() takes a bytes-like object, not %.100s", name,
                     Py_TYPE(data)->tp_name);
        return NULL;
    }
    uint16_t crc = fn((const uint8_t *)view.buf, view.len);
    PyBuffer_Release(&view);
    return PyLong_FromLong(crc);
}

PyDoc_STRVAR(crc16_doc,
             "crc16(data) -> int\n\n"
             "The HJ 212 CRC of a data segment (HJ 212-2017 Appendix A).");

static PyObject *
crc16(PyObject *module, PyObject *data)
{
    (void)module;
    return crc_of_buffer(data, hj212_crc, "crc16");
}

PyDoc_STRVAR(crc16_modbus_doc,
             "crc16_modbus(data) -> int\n\n"
             "Plain CRC-16/MODBUS, which some devices send instead of the HJ 212 variant.");

static PyObject *
crc16_modbus(PyObject *module, PyObject *data)
{
    (void)module;
    return crc_of_buffer(data, modbus_crc, "crc16_modbus");
}

/* ------------------------------------------------------- names cache --- */

/* Names worth interning: numeric sub-fields first (they must equal
 * _fields.NUMERIC_SUBFIELDS, a test checks), then other sub-fields and common
 * top-level CP fields of HJ 212-2017 Table 4. */
static const char *const known_names[] = {
    "Rtd", "Min", "Avg", "Max", "Cou", "ZsRtd", "ZsMin", "ZsAvg", "ZsMax",
    "Data", "DayData", "NightData", "RS", "RT",
    "Flag", "EFlag", "SampleTime", "SN", "Info",
    "DataTime", "RtdInterval", "MinInterval", "QnRtn", "ExeRtn", "OverTime", "ReCount",
    "BeginTime", "EndTime", "SystemTime", "RestartTime", "PolId", "VaseNo", "Ctime",
    "Stime", "SKCreateTime",
};
#define N_KNOWN ((int)(sizeof(known_names) / sizeof(known_names[0])))
#define N_NUMERIC 14
#define MAX_KNOWN_LEN 16

static PyObject *known_objects[N_KNOWN];
/* known_by_len[len] lists indexes into known_names, -1 terminated. */
static signed char known_by_len[MAX_KNOWN_LEN + 1][N_KNOWN + 1];

static PyObject *one_char[128];
static PyObject *empty_str;

/* Bytes that end a stretch of the item scan in split_cp: separators and the
 * str's terminating NUL, and in the key also '=' and '-'. */
static unsigned char key_stop[256];
static unsigned char value_stop[256];

/* Codes ("a21026", "w01018", "SB1") repeat frame after frame: a small
 * direct-mapped cache keeps their str, hash included. */
#define CODE_CACHE_SIZE 256
#define CODE_CACHE_MAX_LEN 24
static PyObject *code_cache[CODE_CACHE_SIZE];

static PyObject *py_split_cp; /* the pure-Python reference, imported when first needed */

/* memcmp(a, b, n) == 0 for the few bytes of a name, without a library call. */
static inline int
same_bytes(const char *a, const char *b, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return 0;
        }
    }
    return 1;
}

static int
known_index(const char *s, Py_ssize_t n)
{
    if (n > MAX_KNOWN_LEN) {
        return -1;
    }
    for (const signed char *i = known_by_len[n]; *i >= 0; i++) {
        if (same_bytes(known_names[*i], s, n)) {
            return *i;
        }
    }
    return -1;
}

static PyObject *
new_ascii(const char *s, Py_ssize_t n)
{
    if (n == 0) {
        return Py_NewRef(empty_str);
    }
    if (n == 1) {
        return Py_NewRef(one_char[(unsigned char)s[0]]);
    }
    PyObject *obj = PyUnicode_New(n, 127);
    if (obj != NULL) {
        memcpy(PyUnicode_1BYTE_DATA(obj), s, (size_t)n);
    }
    return obj;
}

static PyObject *
name_str(const char *s, Py_ssize_t n)
{
    int i = known_index(s, n);
    if (i >= 0) {
        return Py_NewRef(known_objects[i]);
    }
    return new_ascii(s, n);
}

static PyObject *
code_str(const char *s, Py_ssize_t n)
{
    if (n > CODE_CACHE_MAX_LEN) {
        return new_ascii(s, n);
    }
    uint32_t h = 2166136261u; /* FNV-1a */
    for (Py_ssize_t i = 0; i < n; i++) {
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    }
    PyObject **slot = &code_cache[(h ^ (h >> 16)) & (CODE_CACHE_SIZE - 1)];
    PyObject *cached = *slot;
    if (cached != NULL && PyUnicode_GET_LENGTH(cached) == n
        && same_bytes((const char *)PyUnicode_1BYTE_DATA(cached), s, n)) {
        return Py_NewRef(cached);
    }
    PyObject *obj = new_ascii(s, n);
    if (obj == NULL) {
        return NULL;
    }
    if (PyObject_Hash(obj) == -1) {
        Py_DECREF(obj);
        return NULL;
    }
    Py_XSETREF(*slot, Py_NewRef(obj));
    return obj;
}

/* --------------------------------------------------------- split_cp --- */

/* What read_number found. */
enum { NOT_A_NUMBER, NUMBER_INEXACT, NUMBER_EXACT };

#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0 && FLT_RADIX == 2 && DBL_MANT_DIG == 53
#define HAVE_EXACT_DECIMALS 1
static const double exact_powers_of_ten[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};
#endif

/* Checks s[0:n] against _fields.NUMBER_RE,
 *     [+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z
 * (ASCII digits: non-ASCII text never gets here), and converts it on the way
 * when Clinger's fast path applies, as _Py_dg_strtod (behind float()) does
 * first: when the significant digits make an integer m <= 2**53 and the
 * decimal exponent k is within +-22, m and 10**|k| are exact doubles and one
 * IEEE multiplication or division rounds m * 10**k correctly. Other numbers
 * are NUMBER_INEXACT and go to PyOS_string_to_double, which gives the same
 * double for all, but sets and restores the x87 control word on every call,
 * which costs more than the rest of the conversion. */
static int
read_number(const char *s, Py_ssize_t n, double *out)
{
    Py_ssize_t i = 0, scale = 0, exponent = 0, int_digits, frac_digits = 0, exp_digits;
    int negative = 0, significant = 0;
    uint64_t m = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        negative = s[i] == '-';
        i++;
    }
    int_digits = i;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        if (m != 0 || s[i] != '0') {
            if (significant++ < 19) {
                m = m * 10 + (uint64_t)(s[i] - '0');
            }
        }
    }
    int_digits = i - int_digits;
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, frac_digits++) {
            if (m != 0 || s[i] != '0') {
                if (significant++ < 19) {
                    m = m * 10 + (uint64_t)(s[i] - '0');
                }
            }
            scale--;
        }
    }
    if (int_digits + frac_digits == 0) {
        return NOT_A_NUMBER;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int exponent_negative = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            exponent_negative = s[i] == '-';
            i++;
        }
        exp_digits = i;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (exponent < 100000) {
                exponent = exponent * 10 + (s[i] - '0');
            }
        }
        if (i == exp_digits) {
            return NOT_A_NUMBER;
        }
        scale += exponent_negative ? -exponent : exponent;
    }
    if (i != n) {
        return NOT_A_NUMBER;
    }
#ifdef HAVE_EXACT_DECIMALS
    double value;
    if (m == 0) {
        value = 0.0; /* all digits zero; scale does not matter */
    }
    else if (significant > 19 || m > ((uint64_t)1 << 53) || scale > 22 || scale < -22) {
        return NUMBER_INEXACT;
    }
    else if (scale >= 0) {
        value = (double)m * exact_powers_of_ten[scale];
    }
    else {
        value = (double)m / exact_powers_of_ten[-scale];
    }
    *out = negative ? -value : value;
    return NUMBER_EXACT;
#else
    (void)out, (void)negative;
    return NUMBER_INEXACT;
#endif
}

/* The float of a number read_number found NUMBER_INEXACT. The text is
 * followed by a separator, whitespace or the str's terminating NUL, none of
 * which extends a number. */
static PyObject *
inexact_number(const char *s, Py_ssize_t n)
{
    char *end;
    double value = PyOS_string_to_double(s, &end, NULL);
    if (value == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    if (end != s + n) { /* not expected; let float() decide */
        PyObject *text = new_ascii(s, n);
        if (text == NULL) {
            return NULL;
        }
        PyObject *result = PyFloat_FromString(text);
        Py_DECREF(text);
        return result;
    }
    return PyFloat_FromDouble(value);
}

static PyObject *
repr_of(const char *s, Py_ssize_t n)
{
    PyObject *text = new_ascii(s, n);
    if (text == NULL) {
        return NULL;
    }
    PyObject *repr = PyObject_Repr(text);
    Py_DECREF(text);
    return repr;
}

/* Formats a message about the ASCII text s[0:n]: "%U" in fmt receives repr(text). */
static PyObject *
message_with_repr(const char *fmt, const char *s, Py_ssize_t n)
{
    PyObject *repr = repr_of(s, n);
    if (repr == NULL) {
        return NULL;
    }
    PyObject *message = PyUnicode_FromFormat(fmt, repr);
    Py_DECREF(repr);
    return message;
}

static int
append_message(PyObject *list, PyObject *message)
{
    if (message == NULL) {
        return -1;
    }
    int rc = PyList_Append(list, message);
    Py_DECREF(message);
    return rc;
}

/* Whether key is among the keys of the (key, value) tuples in fields;
 * seen is a set of them, built once fields grows past a few entries. */
static int
seen_before(PyObject *fields, PyObject **seen, PyObject *key)
{
    Py_ssize_t count = PyList_GET_SIZE(fields);
    if (*seen == NULL) {
        if (count < 8) {
            Py_ssize_t n = PyUnicode_GET_LENGTH(key);
            const void *data = PyUnicode_DATA(key);
            for (Py_ssize_t i = 0; i < count; i++) {
                PyObject *other = PyTuple_GET_ITEM(PyList_GET_ITEM(fields, i), 0);
                if (other == key
                    || (PyUnicode_GET_LENGTH(other) == n
                        && memcmp(PyUnicode_DATA(other), data, (size_t)n) == 0)) {
                    return 1;
                }
            }
            return 0;
        }
        *seen = PySet_New(NULL);
        if (*seen == NULL) {
            return -1;
        }
        for (Py_ssize_t i = 0; i < count; i++) {
            if (PySet_Add(*seen, PyTuple_GET_ITEM(PyList_GET_ITEM(fields, i), 0)) < 0) {
                return -1;
            }
        }
    }
    int found = PySet_Contains(*seen, key);
    if (found == 0 && PySet_Add(*seen, key) < 0) {
        return -1;
    }
    return found;
}

static PyObject *
fallback_split_cp(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (py_split_cp == NULL) {
        PyObject *module = PyImport_ImportModule("ecozone.hj212._cp");
        if (module == NULL) {
            return NULL;
        }
        py_split_cp = PyObject_GetAttrString(module, "split_cp");
        Py_DECREF(module);
        if (py_split_cp == NULL) {
            return NULL;
        }
    }
    return PyObject_Vectorcall(py_split_cp, args, (size_t)nargs, kwnames);
}

/* The pollutant branch: code-sub=value. Returns 0 to go on, 1 when *error
 * was set to the message that ends the split, -1 on an exception. */
static int
put_subfield(PyObject *entry, const char *s, Py_ssize_t a, Py_ssize_t dash, Py_ssize_t eq,
             Py_ssize_t b, int lenient, PyObject *deviations, PyObject **error)
{
    const char *sub_s = s + dash + 1, *value_s = s + eq + 1;
    Py_ssize_t sub_n = eq - dash - 1, value_n = b - eq - 1;
    int known = known_index(sub_s, sub_n);
    int numeric = known >= 0 && known < N_NUMERIC;
    PyObject *sub = known >= 0 ? Py_NewRef(known_objects[known]) : new_ascii(sub_s, sub_n);
    PyObject *value = NULL, *key = NULL;
    int rc = -1, number = NOT_A_NUMBER;
    double x = 0.0;
    if (sub == NULL) {
        return -1;
    }
    if (numeric) {
        number = read_number(value_s, value_n, &x);
    }
    if (!numeric || number != NOT_A_NUMBER) {
        /* Fast path: insert unless present, and learn which it was in one lookup. */
        if (!numeric) {
            value = new_ascii(value_s, value_n);
        }
        else if (number == NUMBER_EXACT) {
            value = PyFloat_FromDouble(x);
        }
        else {
            value = inexact_number(value_s, value_n);
        }
        if (value == NULL) {
            goto done;
        }
        Py_ssize_t before = PyDict_GET_SIZE(entry);
        if (PyDict_SetDefault(entry, sub, value) == NULL) {
            goto done;
        }
        if (PyDict_GET_SIZE(entry) != before) {
            rc = 0;
            goto done;
        }
        key = PyUnicode_FromStringAndSize(s + a, eq - a);
        if (key == NULL) {
            goto done;
        }
        if (!lenient) {
            *error = PyUnicode_FromFormat("CP field %U appears twice", key);
            rc = *error == NULL ? -1 : 1;
            goto done;
        }
        if (append_message(deviations, PyUnicode_FromFormat(
                               "CP field %U appears twice; the last value is kept", key)) < 0
            || PyDict_SetItem(entry, sub, value) < 0) {
            goto done;
        }
        rc = 0;
        goto done;
    }
    /* A numeric sub-field without a number: rare, so plain steps. */
    key = PyUnicode_FromStringAndSize(s + a, eq - a);
    if (key == NULL) {
        goto done;
    }
    int present = PyDict_Contains(entry, sub);
    if (present < 0) {
        goto done;
    }
    if (present) {
        if (!lenient) {
            *error = PyUnicode_FromFormat("CP field %U appears twice", key);
            rc = *error == NULL ? -1 : 1;
            goto done;
        }
        if (append_message(deviations, PyUnicode_FromFormat(
                               "CP field %U appears twice; the last value is kept", key)) < 0) {
            goto done;
        }
    }
    PyObject *repr = repr_of(value_s, value_n);
    if (repr == NULL) {
        goto done;
    }
    if (!lenient) {
        *error = PyUnicode_FromFormat("%U=%U is not a number", key, repr);
        Py_DECREF(repr);
        rc = *error == NULL ? -1 : 1;
        goto done;
    }
    PyObject *message = PyUnicode_FromFormat("%U=%U is not a number; stored as empty", key, repr);
    Py_DECREF(repr);
    if (append_message(deviations, message) < 0 || PyDict_SetItem(entry, sub, Py_None) < 0) {
        goto done;
    }
    rc = 0;
done:
    Py_DECREF(sub);
    Py_XDECREF(value);
    Py_XDECREF(key);
    return rc;
}

PyDoc_STRVAR(split_cp_doc,
             "split_cp(text, lenient) -> (fields, pollutants, deviations, error)\n\n"
             "Split a CP data area; the same contract as ecozone.hj212._cp.split_cp.");

static PyObject *
split_cp(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *text_obj = NULL, *lenient_obj = NULL;
    (void)module;
    if (kwnames != NULL || nargs != 2) {
        /* Keywords or a wrong count: the reference takes them, or names the mistake. */
        return fallback_split_cp(args, nargs, kwnames);
    }
    text_obj = args[0];
    lenient_obj = args[1];
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_CheckExact(text_obj) && PyUnicode_READY(text_obj) < 0) {
        return NULL;
    }
#endif
    if (!PyUnicode_CheckExact(text_obj) || !PyUnicode_IS_ASCII(text_obj)) {
        return fallback_split_cp(args, nargs, kwnames);
    }
    int lenient = PyObject_IsTrue(lenient_obj);
    if (lenient < 0) {
        return NULL;
    }

    PyObject *fields = PyList_New(0);
    PyObject *pollutants = PyDict_New();
    PyObject *deviations = PyList_New(0);
    PyObject *seen = NULL, *error = NULL, *result = NULL;
    if (fields == NULL || pollutants == NULL || deviations == NULL) {
        goto finish;
    }

    const char *s = (const char *)PyUnicode_1BYTE_DATA(text_obj);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text_obj);
    /* The entry of the code seen last: sub-fields of one code come together. */
    const char *last_code = NULL;
    Py_ssize_t last_code_n = 0;
    PyObject *entry = NULL; /* borrowed from pollutants */

    Py_ssize_t pos = 0;
    while (pos < n) {
        /* One pass over the item: its end, its first '=', and a '-' before that. */
        Py_ssize_t a = pos, b = pos, eq = -1, dash = -1;
        for (;;) {
            while (!key_stop[(unsigned char)s[b]]) {
                b++;
            }
            if (s[b] == '=') {
                eq = b++;
                for (;;) {
                    while (!value_stop[(unsigned char)s[b]]) {
                        b++;
                    }
                    if (s[b] != '\0' || b == n) {
                        break;
                    }
                    b++; /* a NUL inside the value */
                }
                break;
            }
            if (s[b] == '-') {
                if (dash < 0) {
                    dash = b;
                }
                b++;
                continue;
            }
            if (s[b] == '\0' && b < n) {
                b++; /* a NUL inside the key */
                continue;
            }
            break; /* ';', ',' or the end of the text */
        }
        pos = b + 1;
        if (a == b) {
            continue;
        }
        if (s[a] == ' ' || s[a] == '\t' || s[b - 1] == ' ' || s[b - 1] == '\t') {
            while (a < b && (s[a] == ' ' || s[a] == '\t')) {
                a++;
            }
            while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t')) {
                b--;
            }
            if (a == b) {
                continue;
            }
            PyObject *message = message_with_repr("whitespace around CP item %U", s + a, b - a);
            if (!lenient) {
                error = message;
                goto finish;
            }
            if (append_message(deviations, message) < 0) {
                goto finish;
            }
        }
        if (eq < 0) {
            error = message_with_repr("CP item %U has no '='", s + a, b - a);
            goto finish;
        }
        if (eq == a) {
            error = message_with_repr("CP item %U has no field name", s + a, b - a);
            goto finish;
        }
        if (dash >= 0) {
            if (dash == a || dash + 1 == eq) {
                error = message_with_repr("CP item %U has an empty code or sub-field", s + a,
                                          b - a);
                goto finish;
            }
            if (entry == NULL || dash - a != last_code_n
                || !same_bytes(last_code, s + a, last_code_n)) {
                PyObject *code = code_str(s + a, dash - a);
                if (code == NULL) {
                    goto finish;
                }
                entry = PyDict_GetItemWithError(pollutants, code);
                if (entry == NULL) {
                    if (PyErr_Occurred()) {
                        Py_DECREF(code);
                        goto finish;
                    }
                    PyObject *fresh = PyDict_New();
                    int rc = fresh == NULL ? -1 : PyDict_SetItem(pollutants, code, fresh);
                    Py_XDECREF(fresh); /* pollutants holds it */
                    if (rc < 0) {
                        Py_DECREF(code);
                        goto finish;
                    }
                    entry = fresh;
                }
                Py_DECREF(code);
                last_code = s + a;
                last_code_n = dash - a;
            }
            int rc = put_subfield(entry, s, a, dash, eq, b, lenient, deviations, &error);
            if (rc != 0) {
                goto finish; /* error holds the message, or an exception is set */
            }
        }
        else {
            PyObject *key = name_str(s + a, eq - a);
            if (key == NULL) {
                goto finish;
            }
            int found = seen_before(fields, &seen, key);
            if (found < 0) {
                Py_DECREF(key);
                goto finish;
            }
            if (found) {
                if (!lenient) {
                    error = PyUnicode_FromFormat("CP field %U appears twice", key);
                    Py_DECREF(key);
                    goto finish;
                }
                if (append_message(deviations, PyUnicode_FromFormat(
                        "CP field %U appears twice; the last value is kept", key)) < 0) {
                    Py_DECREF(key);
                    goto finish;
                }
            }
            PyObject *value = new_ascii(s + eq + 1, b - eq - 1);
            if (value == NULL) {
                Py_DECREF(key);
                goto finish;
            }
            PyObject *pair = PyTuple_New(2);
            if (pair == NULL) {
                Py_DECREF(key);
                Py_DECREF(value);
                goto finish;
            }
            PyTuple_SET_ITEM(pair, 0, key);
            PyTuple_SET_ITEM(pair, 1, value);
            int rc = PyList_Append(fields, pair);
            Py_DECREF(pair);
            if (rc < 0) {
                goto finish;
            }
        }
    }

finish:
    if (!PyErr_Occurred()) {
        result = PyTuple_Pack(4, fields, pollutants, deviations, error ? error : Py_None);
    }
    Py_XDECREF(fields);
    Py_XDECREF(pollutants);
    Py_XDECREF(deviations);
    Py_XDECREF(seen);
    Py_XDECREF(error);
    return result;
}

/* ----------------------------------------------------------- module --- */

static PyMethodDef speedups_methods[] = {
    {"crc16", (PyCFunction)crc16, METH_O, crc16_doc},
    {"crc16_modbus", (PyCFunction)crc16_modbus, METH_O, crc16_modbus_doc},
    {"split_cp", (PyCFunction)(void (*)(void))split_cp, METH_FASTCALL | METH_KEYWORDS,
     split_cp_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    "ecozone.hj212._speedups",
    "C versions of the HJ 212 codec's hot paths; see _accel.py.",
    -1,
    speedups_methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

static int
init_names(void)
{
    key_stop[';'] = key_stop[','] = key_stop['='] = key_stop['-'] = key_stop[0] = 1;
    value_stop[';'] = value_stop[','] = value_stop[0] = 1;
    memset(known_by_len, -1, sizeof(known_by_len));
    int filled[MAX_KNOWN_LEN + 1] = {0};
    for (int i = 0; i < N_KNOWN; i++) {
        size_t len = strlen(known_names[i]);
        if (len > MAX_KNOWN_LEN) {
            PyErr_SetString(PyExc_SystemError, "known name longer than MAX_KNOWN_LEN");
            return -1;
        }
        known_by_len[len][filled[len]++] = (signed char)i;
        known_objects[i] = PyUnicode_InternFromString(known_names[i]);
        if (known_objects[i] == NULL) {
            return -1;
        }
    }
    for (int ch = 0; ch < 128; ch++) {
        one_char[ch] = PyUnicode_FromOrdinal(ch);
        if (one_char[ch] == NULL) {
            return -1;
        }
    }
    empty_str = PyUnicode_New(0, 0);
    return empty_str == NULL ? -1 : 0;
}

PyMODINIT_FUNC
PyInit__speedups(void)
{
    build_crc_tables();
    if (known_objects[0] == NULL && init_names() < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&speedups_module);
    if (module == NULL) {
        return NULL;
    }
    PyObject *numeric = PyFrozenSet_New(NULL);
    if (numeric == NULL) {
        goto error;
    }
    for (int i = 0; i < N_NUMERIC; i++) {
        if (PySet_Add(numeric, known_objects[i]) < 0) {
            Py_DECREF(numeric);
            goto error;
        }
    }
    if (PyModule_AddObject(module, "NUMERIC_SUBFIELDS", numeric) < 0) {
        Py_DECREF(numeric);
        goto error;
    }
    return module;
error:
    Py_DECREF(module);
    return NULL;
}
