// @ts-check
/**
 * @file A still photo from the tablet's camera, sent to the call: for when the video cannot
 * show the nurse enough (a rash, a wound, a swollen leg), whether the line is poor or the relay
 * has paused the video.
 *
 * The video is sent at a reduced resolution to fit the line; a still is taken at the camera's
 * full resolution instead: `ImageCapture.takePhoto()` where the browser has it (it uses the
 * camera's photo mode, often more pixels than video), else the live camera track drawn at its
 * full settings size onto a canvas and encoded as JPEG. It goes over HTTPS, not the video, so a
 * line too weak for video still carries it, only more slowly.
 */

import * as api from '../api.js';

/** @typedef {import('../types.js').CallPhoto} CallPhoto */

/** JPEG quality of a still drawn from the camera: clear skin detail at a few MiB. */
const JPEG_QUALITY = 0.92;
/** Longest side of the smaller copy sent when a photo is over the server's limit. */
const SMALLER_SIDE = 2048;

/**
 * @param {HTMLCanvasElement} canvas
 * @param {number} quality
 * @returns {Promise<Blob>}
 */
function jpegOf(canvas, quality) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the photo could not be encoded'))), 'image/jpeg', quality);
  });
}

/**
 * One frame of the live track, at the track's own resolution.
 * @param {MediaStreamTrack} track
 * @returns {Promise<Blob>}
 */
async function frameOf(track) {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([track]);
  try {
    await video.play();
    if (!video.videoWidth) await new Promise((resolve) => video.addEventListener('loadeddata', resolve, { once: true }));
    const settings = track.getSettings();
    const canvas = document.createElement('canvas');
    canvas.width = settings.width || video.videoWidth;
    canvas.height = settings.height || video.videoHeight;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no canvas to draw the photo on');
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    return await jpegOf(canvas, JPEG_QUALITY);
  } finally {
    video.pause();
    video.srcObject = null;
  }
}

/**
 * A still photo from the camera of `stream`, at full resolution.
 * @param {MediaStream} stream
 * @returns {Promise<Blob>}
 */
export async function takePhoto(stream) {
  const track = stream.getVideoTracks()[0];
  if (!track || track.readyState !== 'live') throw new Error('The camera is not on.');
  // ImageCapture is not in TypeScript's DOM types yet; it is in Chromium and Android browsers.
  const ImageCapture = /** @type {any} */ (window).ImageCapture;
  if (typeof ImageCapture === 'function') {
    try {
      /** @type {Blob} */
      const blob = await new ImageCapture(track).takePhoto();
      if (blob.type === 'image/jpeg' || blob.type === 'image/png') return blob;
    } catch {
      // Some cameras have no photo mode (or refuse while the track is disabled): use a frame.
    }
  }
  return frameOf(track);
}

/**
 * A smaller JPEG copy of a photo, for when the original is over the server's limit.
 * @param {Blob} blob
 * @param {number} maxBytes
 * @returns {Promise<Blob>}
 */
export async function smallerCopy(blob, maxBytes) {
  const bitmap = await createImageBitmap(blob);
  try {
    const scale = Math.min(1, SMALLER_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no canvas to draw the photo on');
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    for (const quality of [0.85, 0.7, 0.5]) {
      const copy = await jpegOf(canvas, quality);
      if (copy.size <= maxBytes) return copy;
    }
    throw new Error('the photo is too large even when made smaller');
  } finally {
    bitmap.close();
  }
}

/**
 * Sends a photo to the call; one over the server's limit is sent again as a smaller copy.
 * @param {number} callId
 * @param {Blob} blob
 * @returns {Promise<CallPhoto>}
 */
export async function sendPhoto(callId, blob) {
  const path = `/api/calls/${callId}/photos`;
  try {
    return await api.postBlob(path, blob);
  } catch (error) {
    if (!(error instanceof api.ApiError) || error.status !== 413) throw error;
    /** @type {import('../types.js').PhotoList} */
    const list = await api.get(path);
    return api.postBlob(path, await smallerCopy(blob, list.max_bytes));
  }
}
