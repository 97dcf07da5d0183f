import { describe, expect, it } from '@jest/globals';
import { tooManyImages } from '../../../src/admission/too-many-images.js';

describe('tooManyImages', () => {
  const images = (n: number) => Array.from({ length: n }, (_, i) => `registry.example/app-${i}:1`);
  it('accepts up to the maximum of distinct images, repeats counted once', () => {
    expect(tooManyImages(images(64), 64)).toBeUndefined();
    expect(tooManyImages([...images(64), ...images(64)], 64)).toBeUndefined();
  });
  it('names the count and the setting when there are more', () => {
    expect(tooManyImages(images(65), 64)).toBe('the object names 65 distinct images, more than the 64 Portcullis checks per object (admission.maxImagesPerObject): denied');
  });
});
