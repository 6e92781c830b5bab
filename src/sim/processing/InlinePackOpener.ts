import { Validator } from '../../validation/Validator.js';
import { openPack, type OpenedPack, type OpenPackInput } from './openPack.js';
import type { OpenerValidationOptions, PackOpener } from './PackOpener.js';

/** Opens packs in the calling thread (`processingWorkers: 0`). */
export class InlinePackOpener implements PackOpener {
  private constructor(private readonly validator: Validator) {}

  static async create(options: OpenerValidationOptions): Promise<InlinePackOpener> {
    return new InlinePackOpener(await Validator.create(options));
  }

  async open(input: OpenPackInput): Promise<OpenedPack> {
    return openPack(input, this.validator);
  }

  async close(): Promise<void> {}
}
