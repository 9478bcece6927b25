/**
 * TensorFlow Java adapter: run a SavedModel signature with {@code int[]}/{@code long[]} inputs
 * converted, with checks, to the dtype the signature declares, and read outputs as checked Java
 * arrays. TensorFlow Java itself demands the exact dtype and fails with {@code Expects arg[0] to
 * be int64 but int32 is provided}, without naming the input; this adapter names it.
 */
package io.jvmready.tensorflow;
