//! A tiny heap type (`ferromq._native._BytesView`) that owns a `bytes::Bytes` and exports
//! it read-only through the buffer protocol, so a received frame's payload can be handed
//! to Python as a `memoryview` without copying (the abi3 way below 3.11: `PyType_FromSpec` with
//! a `Py_bf_getbuffer` slot, which every CPython 3 runtime honours).

use std::ffi::{c_int, c_void};

use bytes::Bytes;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

use crate::bufffi;

#[repr(C)]
struct BytesView {
    ob_base: ffi::PyObject,
    data: *mut Bytes,
}

static TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

unsafe extern "C" fn getbuffer(
    obj: *mut ffi::PyObject,
    view: *mut bufffi::Py_buffer,
    flags: c_int,
) -> c_int {
    // SAFETY: `obj` is a BytesView (this slot only exists on that type) whose `data` was
    // set at creation and lives until dealloc; the exported view holds a reference to
    // `obj` (FillInfo increfs it), so the bytes outlive the view. Read-only export.
    unsafe {
        let data = &*(*(obj as *mut BytesView)).data;
        let len = data.len() as ffi::Py_ssize_t;
        bufffi::PyBuffer_FillInfo(view, obj, data.as_ptr() as *mut c_void, len, 1, flags)
    }
}

unsafe extern "C" fn dealloc(obj: *mut ffi::PyObject) {
    // SAFETY: called once by CPython when the refcount drops to 0; `data` came from
    // Box::into_raw in `memoryview`. Heap-type instances own a reference to their type,
    // released after freeing the object.
    unsafe {
        let this = obj as *mut BytesView;
        let data = (*this).data;
        if !data.is_null() {
            drop(Box::from_raw(data));
        }
        let tp = ffi::Py_TYPE(obj);
        let free = ffi::PyType_GetSlot(tp, ffi::Py_tp_free);
        if !free.is_null() {
            let free: ffi::freefunc = std::mem::transmute(free);
            free(obj as *mut c_void);
        }
        ffi::Py_DECREF(tp as *mut ffi::PyObject);
    }
}

fn view_type(py: Python<'_>) -> PyResult<&Py<PyType>> {
    TYPE.get_or_try_init(py, || {
        let mut slots = [
            ffi::PyType_Slot {
                slot: bufffi::Py_bf_getbuffer,
                pfunc: getbuffer as *mut c_void,
            },
            ffi::PyType_Slot {
                slot: ffi::Py_tp_dealloc,
                pfunc: dealloc as *mut c_void,
            },
            ffi::PyType_Slot {
                slot: 0,
                pfunc: std::ptr::null_mut(),
            },
        ];
        let mut spec = ffi::PyType_Spec {
            name: c"ferromq._native._BytesView".as_ptr(),
            basicsize: size_of::<BytesView>() as c_int,
            itemsize: 0,
            flags: ffi::Py_TPFLAGS_DEFAULT as _,
            slots: slots.as_mut_ptr(),
        };
        // SAFETY: the spec and slots are valid for the call (CPython copies what it
        // needs); the result is a new reference or NULL with an exception set.
        unsafe {
            let tp = ffi::PyType_FromSpec(&mut spec);
            Bound::from_owned_ptr_or_err(py, tp).map(|t| t.cast_into_unchecked::<PyType>().unbind())
        }
    })
}

/// A read-only memoryview over `data` (no copy).
pub fn memoryview(py: Python<'_>, data: Bytes) -> PyResult<Bound<'_, PyAny>> {
    let tp = view_type(py)?;
    // SAFETY: allocation through the type's own tp_alloc; on success `data` is moved into
    // the new object before anything can observe it (GIL held), and the memoryview keeps
    // the object alive while its buffer is exported.
    unsafe {
        let tpp = tp.as_ptr() as *mut ffi::PyTypeObject;
        let alloc = ffi::PyType_GetSlot(tpp, ffi::Py_tp_alloc);
        if alloc.is_null() {
            return Err(pyo3::exceptions::PyRuntimeError::new_err("no tp_alloc"));
        }
        let alloc: ffi::allocfunc = std::mem::transmute(alloc);
        let obj = alloc(tpp, 0);
        let obj = Bound::from_owned_ptr_or_err(py, obj)?;
        (*(obj.as_ptr() as *mut BytesView)).data = Box::into_raw(Box::new(data));
        Bound::from_owned_ptr_or_err(py, ffi::PyMemoryView_FromObject(obj.as_ptr()))
    }
}
