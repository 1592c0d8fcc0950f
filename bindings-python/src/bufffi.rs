//! The buffer-protocol part of CPython's C API, declared here because pyo3 hides it below
//! the 3.11 limited API. These functions and this struct layout are part of CPython's
//! ABI since 3.0 (the limited API only left them out of its headers until 3.11), so an
//! abi3-py310 module may use them on every CPython it loads into.

#![allow(non_upper_case_globals, non_camel_case_types, missing_docs)]

use pyo3::ffi::{PyObject, Py_ssize_t};
use std::ffi::{c_char, c_int, c_void};

/// `Py_buffer` (CPython's `struct bufferinfo`).
#[repr(C)]
pub struct Py_buffer {
    pub buf: *mut c_void,
    pub obj: *mut PyObject,
    pub len: Py_ssize_t,
    pub itemsize: Py_ssize_t,
    pub readonly: c_int,
    pub ndim: c_int,
    pub format: *mut c_char,
    pub shape: *mut Py_ssize_t,
    pub strides: *mut Py_ssize_t,
    pub suboffsets: *mut Py_ssize_t,
    pub internal: *mut c_void,
}

/// `PyBUF_SIMPLE`.
pub const PyBUF_SIMPLE: c_int = 0;
/// `PyBUF_WRITABLE`.
pub const PyBUF_WRITABLE: c_int = 0x0001;
/// The `Py_bf_getbuffer` type slot number (stable ABI).
pub const Py_bf_getbuffer: c_int = 1;

extern "C" {
    pub fn PyObject_GetBuffer(obj: *mut PyObject, view: *mut Py_buffer, flags: c_int) -> c_int;
    pub fn PyBuffer_Release(view: *mut Py_buffer);
    pub fn PyBuffer_FillInfo(
        view: *mut Py_buffer,
        obj: *mut PyObject,
        buf: *mut c_void,
        len: Py_ssize_t,
        readonly: c_int,
        flags: c_int,
    ) -> c_int;
}
